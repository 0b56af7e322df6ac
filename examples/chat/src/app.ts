// The chat page: messages (stored by the backend, delivered by Pulse), who is online (presence),
// typing indicators (published straight from the page) and catch-up after a reconnection.
// Every piece of user data goes into the DOM through textContent, never innerHTML.
import Pulse, { isPulseError } from 'openkbs-pulse';

interface ChatMessage {
  id: number;
  userId: string;
  name: string;
  text: string;
  sentAt: number;
}

interface TokenAnswer {
  token: string;
  endpoint: string;
  kbId: string;
  userId: string;
  name: string;
}

const TYPING_SHOWN_MS = 3000;
const TYPING_SEND_EVERY_MS = 1500;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLSpanElement>('status');
const messagesEl = $<HTMLOListElement>('messages');
const typingEl = $<HTMLParagraphElement>('typing');
const onlineEl = $<HTMLUListElement>('online');
const onlineCountEl = $<HTMLSpanElement>('online-count');
const form = $<HTMLFormElement>('compose');
const input = $<HTMLInputElement>('text');

const STATUS_TEXT: Record<string, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  disconnected: 'Disconnected',
  failed: 'Connection failed',
};

async function api<T>(path: string, body?: object): Promise<T> {
  const response = await fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return (await response.json()) as T;
}

function isChatMessage(value: unknown): value is ChatMessage {
  const m = value as Partial<ChatMessage> | null;
  return !!m && typeof m.id === 'number' && typeof m.name === 'string' && typeof m.text === 'string';
}

// ---------------------------------------------------------------------------------------------
// Messages, in id order, each shown once (a message can arrive from a catch-up and as the answer
// to this page's own send). Only the backend says what was said: a live `message` event is a hint
// to ask it, never data to show, because any page holding a token can publish one, with any id
// and text (an id of 1e15 would move the cursor past everything, a copied id would hide a real
// message). Ids, texts and the cursor all come from the backend's answers.
const shown = new Set<number>();
/** Highest id of the backend's catch-up answers: everything up to it has been shown. */
let cursor = 0;

function showMessage(message: ChatMessage): void {
  if (shown.has(message.id)) return;
  shown.add(message.id);
  const item = document.createElement('li');
  item.dataset.id = String(message.id);
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = message.name;
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = message.text;
  const time = document.createElement('time');
  time.className = 'time';
  time.textContent = new Date(message.sentAt).toLocaleTimeString();
  item.append(author, text, time);
  const next = [...messagesEl.children].find((li) => Number((li as HTMLElement).dataset.id) > message.id);
  messagesEl.insertBefore(item, next ?? null);
  item.scrollIntoView({ block: 'nearest' });
}

let catchingUp: Promise<void> | undefined;
let askAgain = false;

/** Fetches and shows what the backend has after the cursor; calls during a fetch run one more. */
function catchUp(): Promise<void> {
  if (catchingUp) {
    askAgain = true;
    return catchingUp;
  }
  catchingUp = (async () => {
    try {
      do {
        askAgain = false;
        const { messages } = await api<{ messages: unknown[] }>(`/api/messages?after=${cursor}`);
        for (const message of messages) {
          if (!isChatMessage(message)) continue;
          showMessage(message);
          cursor = Math.max(cursor, message.id);
        }
      } while (askAgain);
    } finally {
      catchingUp = undefined;
    }
  })();
  return catchingUp;
}

// ---------------------------------------------------------------------------------------------
// Typing indicators: who typed in the last few seconds (others only).
const typing = new Map<string, { name: string; timer: ReturnType<typeof setTimeout> }>();

function renderTyping(): void {
  const names = [...typing.values()].map((t) => t.name);
  typingEl.textContent =
    names.length === 0 ? '' : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
}

function someoneTyped(userId: string, name: string): void {
  const previous = typing.get(userId);
  if (previous) clearTimeout(previous.timer);
  const timer = setTimeout(() => {
    typing.delete(userId);
    renderTyping();
  }, TYPING_SHOWN_MS);
  typing.set(userId, { name, timer });
  renderTyping();
}

function stoppedTyping(userId: string): void {
  const entry = typing.get(userId);
  if (!entry) return;
  clearTimeout(entry.timer);
  typing.delete(userId);
  renderTyping();
}

// ---------------------------------------------------------------------------------------------
// Who is online: one line per user (a user with two tabs is two members with one userId).
function renderOnline(members: readonly { userId: string; data?: unknown }[]): void {
  const names = new Map<string, string>();
  for (const member of members) {
    const data = member.data as { name?: unknown } | undefined;
    names.set(member.userId, typeof data?.name === 'string' ? data.name : member.userId);
  }
  const items = [...names.entries()].map(([userId, name]) => {
    const li = document.createElement('li');
    li.dataset.userId = userId;
    li.textContent = name;
    return li;
  });
  onlineEl.replaceChildren(...items);
  onlineCountEl.textContent = String(names.size);
}

// ---------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const name = (params.get('name') ?? sessionStorage.getItem('pulse-chat-name') ?? '').trim() || `Guest ${Math.floor(Math.random() * 1000)}`;
  sessionStorage.setItem('pulse-chat-name', name);
  const me = await api<TokenAnswer>('/api/token', { name });
  $<HTMLElement>('me').textContent = me.name;

  const pulse = new Pulse({
    kbId: me.kbId,
    token: me.token,
    endpoint: me.endpoint,
    // A fresh token when the current one expires (the client calls this by itself).
    authCallback: async () => {
      const fresh = await api<TokenAnswer>('/api/token', { name, userId: me.userId });
      return { token: fresh.token, endpoint: fresh.endpoint };
    },
  });
  const chat = pulse.channel('chat');

  // A hint that something was said: ask the backend what (see showMessage).
  chat.subscribe('message', (data) => {
    const { userId } = (data ?? {}) as { userId?: unknown };
    if (typeof userId === 'string') stoppedTyping(userId);
    catchUp().catch((error) => console.warn('catch-up failed', error));
  });
  chat.subscribe('typing', (data) => {
    const { userId, name: who } = data as { userId?: unknown; name?: unknown };
    if (typeof userId === 'string' && typeof who === 'string' && userId !== me.userId) someoneTyped(userId, who);
  });
  chat.presence.subscribe(renderOnline);
  chat.presence.enter({ name });

  pulse.onStateChange((state) => {
    document.body.dataset.state = state;
    statusEl.textContent = STATUS_TEXT[state] ?? state;
    // Pulse keeps no history: fetch what was said while this page was away.
    if (state === 'connected') catchUp().catch((error) => console.warn('catch-up failed', error));
  });
  pulse.on('error', (error) => console.warn('pulse error', isPulseError(error) ? error.code : error));
  await catchUp();

  let lastTypingSent = 0;
  input.addEventListener('input', () => {
    const now = Date.now();
    if (!pulse.isConnected || input.value === '' || now - lastTypingSent < TYPING_SEND_EVERY_MS) return;
    lastTypingSent = now;
    chat.publish('typing', { userId: me.userId, name }).catch(() => undefined); // best effort
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    lastTypingSent = 0;
    api<{ message: ChatMessage }>('/api/messages', { userId: me.userId, name, text })
      .then(({ message }) => showMessage(message))
      .catch((error) => {
        input.value = text;
        statusEl.textContent = `Not sent: ${String(error)}`;
      });
  });

  // Leave at once when the page goes away, instead of when the service notices the closed socket.
  addEventListener('pagehide', () => {
    chat.presence.leave();
    pulse.disconnect();
  });
  // A page restored from the back/forward cache comes back disconnected: connect again (presence
  // is entered again with its last data, and the catch-up runs on `connected`).
  addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    pulse.connect();
    chat.presence.enter({ name }).catch(() => undefined);
  });
}

main().catch((error) => {
  document.body.dataset.state = 'failed';
  statusEl.textContent = `Could not start: ${String(error)}`;
});
