// The seed's realtime photo gallery, with the SDK's React hooks (openkbs-pulse/react) instead of a
// hand-written socket class.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { PulseProvider, useChannel, useConnectionState, usePresence } from 'openkbs-pulse/react';

export interface Photo {
  id: number;
  filename: string;
  caption: string;
  uploaded_by: string;
  url: string;
  created_at: number;
}

const API_URL = '/api';
const CHANNEL = 'gallery';

async function api<T>(body: object): Promise<T> {
  const response = await fetch(API_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${String((await response.json().catch(() => ({}))).error ?? response.status)}`);
  return (await response.json()) as T;
}

// One user id per tab.
const userId = sessionStorage.getItem('gallery-user') ?? `user_${Math.random().toString(36).slice(2, 8)}`;
sessionStorage.setItem('gallery-user', userId);

// The backend answers { kbId, token, endpoint }: the provider's first token, and every refresh.
const auth = () => api<{ kbId: string; token: string; endpoint: string }>({ action: 'getToken', userId });

/** One Pulse connection for the page, opened when it mounts (StrictMode's double mount included). */
export default function App() {
  return (
    <PulseProvider options={{ authCallback: auth }}>
      <Gallery />
    </PulseProvider>
  );
}

function Gallery() {
  const [photos, setPhotos] = useState<Photo[]>([]);
  const state = useConnectionState();
  const [error, setError] = useState('');
  const viewers = usePresence(CHANNEL, { userId });

  // Only the latest list asked for is shown: answers of overlapping loads can arrive out of order.
  const loads = useRef(0);
  const load = useCallback(() => {
    const mine = ++loads.current;
    return api<Photo[]>({ action: 'list' }).then((list) => {
      if (mine === loads.current) setPhotos(list);
    });
  }, []);
  useEffect(() => {
    load().catch(() => undefined);
  }, [load]);
  // Pulse keeps no history: reload the list after every (re)connection.
  useEffect(() => {
    if (state === 'connected') load().catch(() => undefined);
  }, [state, load]);

  // Events are hints, never data: any holder of a token can publish on this channel, so a
  // photo_added could carry anyone's image URL and a photo_deleted could hide a photo that still
  // exists. The page changes only to what the backend's list confirms.
  useChannel(CHANNEL, 'photo_added', () => void load().catch(() => undefined));
  useChannel(CHANNEL, 'photo_deleted', () => void load().catch(() => undefined));

  // A delete can fail: another viewer deleted the photo first (404), or the network is down.
  // Show it rather than leave an unhandled rejection; a photo that is gone leaves the list.
  const handleDelete = (photo: Photo) => {
    setError('');
    api({ action: 'delete', id: photo.id }).catch((e: unknown) => {
      const message = e instanceof Error ? e.message : String(e);
      setError(`Could not delete ${photo.filename}: ${message}`);
      if (/no such photo/.test(message)) setPhotos((prev) => prev.filter((p) => p.id !== photo.id));
    });
  };

  const handleUpload = async (photo: { filename: string; caption: string; content: string }) => {
    await api({ action: 'upload', ...photo, uploadedBy: userId });
    // The photo appears through the realtime update.
  };

  return (
    <div className="app" data-state={state}>
      <header>
        <h1>Photo gallery</h1>
        <span className={state === 'connected' ? 'online' : 'offline'} title={state}></span>
        <span id="viewers">{viewers.count} viewers online</span>
      </header>
      <UploadForm onUpload={handleUpload} />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="gallery">
        {photos.map((photo) => (
          <PhotoCard key={photo.id} photo={photo} onDelete={() => handleDelete(photo)} />
        ))}
      </div>
    </div>
  );
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',')[1] ?? '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function UploadForm({ onUpload }: { onUpload: (photo: { filename: string; caption: string; content: string }) => Promise<void> }) {
  const [file, setFile] = useState<File | null>(null);
  const [caption, setCaption] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError('');
    try {
      await onUpload({ filename: file.name, caption, content: await readAsBase64(file) });
      setCaption('');
      setFile(null);
      (event.target as HTMLFormElement).reset();
    } catch (e) {
      setError(String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="upload" onSubmit={submit}>
      <input type="file" accept="image/*" onChange={(e) => setFile(e.target.files?.[0] ?? null)} aria-label="Photo" />
      <input value={caption} onChange={(e) => setCaption(e.target.value)} placeholder="Caption" aria-label="Caption" />
      <button type="submit" disabled={!file || busy}>
        Upload
      </button>
      {error && <span className="error">{error}</span>}
    </form>
  );
}

/** Whether `url` is one of this app's own media URLs (`/media/<id>/<name>`), the only images shown. */
function isOwnMediaUrl(url: unknown): url is string {
  return typeof url === 'string' && /^\/media\/\d+\/[^/?#\\]+$/.test(url);
}

function PhotoCard({ photo, onDelete }: { photo: Photo; onDelete: () => void }) {
  return (
    <figure className="photo" data-id={photo.id}>
      {isOwnMediaUrl(photo.url) ? <img src={photo.url} alt={photo.caption || photo.filename} /> : <div className="missing">{photo.filename}</div>}
      <figcaption>
        <span className="caption">{photo.caption}</span>
        <small> by {photo.uploaded_by}</small>
        <button type="button" onClick={onDelete} aria-label={`Delete ${photo.filename}`}>
          ×
        </button>
      </figcaption>
    </figure>
  );
}
