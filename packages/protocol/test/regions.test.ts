import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REGION,
  REGIONS,
  REGION_ENDPOINTS,
  buildConnectUrl,
  endpointForRegion,
  isRegion,
  regionForEndpoint,
} from '@openkbs-pulse/protocol';

describe('regions', () => {
  it('knows us-east-1 and eu-central-1, us-east-1 by default', () => {
    expect(REGIONS).toEqual(['us-east-1', 'eu-central-1']);
    expect(DEFAULT_REGION).toBe('us-east-1');
    expect(isRegion('eu-central-1')).toBe(true);
    expect(isRegion('ap-south-1')).toBe(false);
  });

  it('maps region to endpoint and back', () => {
    for (const region of REGIONS) {
      expect(endpointForRegion(region)).toBe(REGION_ENDPOINTS[region]);
      expect(regionForEndpoint(endpointForRegion(region))).toBe(region);
    }
    expect(endpointForRegion('eu-central-1')).toBe('wss://pulse.vpc1.eu');
    expect(regionForEndpoint('wss://pulse.vpc1.eu.openkbs.com/prod')).toBe('eu-central-1');
  });

  it('gives no region for other endpoints or garbage', () => {
    expect(regionForEndpoint('ws://127.0.0.1:8080')).toBeUndefined();
    expect(regionForEndpoint('wss://pulse.vpc1.usa')).toBeUndefined();
    expect(regionForEndpoint('not a url')).toBeUndefined();
  });

  it('matches the exact host or the host under .openkbs.com, never a prefix of another domain', () => {
    expect(regionForEndpoint('wss://pulse.vpc1.eu')).toBe('eu-central-1');
    expect(regionForEndpoint('wss://pulse.vpc1.us:443/path?x=1')).toBe('us-east-1');
    expect(regionForEndpoint('wss://pulse.vpc1.us.openkbs.com')).toBe('us-east-1');
    expect(regionForEndpoint('WSS://PULSE.VPC1.EU.OPENKBS.COM/prod')).toBe('eu-central-1');
    for (const endpoint of [
      'wss://pulse.vpc1.eu.evil.com',
      'wss://pulse.vpc1.us.evil.example',
      'wss://pulse.vpc1.eu.openkbs.com.evil.com',
      'wss://pulse.vpc1.eu.openkbs.community',
      'wss://x.pulse.vpc1.us',
      'wss://evil.com/pulse.vpc1.us',
      'wss://pulse.vpc1.us@evil.com',
    ]) {
      expect(regionForEndpoint(endpoint), endpoint).toBeUndefined();
    }
  });
});

describe('buildConnectUrl', () => {
  it('adds kbId, token and an optional channel, encoded', () => {
    expect(buildConnectUrl('wss://pulse.vpc1.us', { kbId: 'kb 1', token: 'a.b.c' })).toBe('wss://pulse.vpc1.us/?kbId=kb+1&token=a.b.c');
    const url = new URL(buildConnectUrl('ws://127.0.0.1:9/ws?x=1', { kbId: 'k', token: 't', channel: 'a&b' }));
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('channel')).toBe('a&b');
  });
});
