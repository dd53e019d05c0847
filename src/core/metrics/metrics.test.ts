import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../testing/build-test-app.js';

const TOKEN = 'metrics-token-0123456789';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(() => t?.close());

  const scrape = () => t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });

  it('answers 401 without the bearer token, or with another', async () => {
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const response = await t.app.inject({
        url: '/metrics',
        headers: authorization ? { authorization } : {},
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.body).not.toContain('http_requests_total');
    }
  });

  it('counts requests by route pattern and status, with their durations, in the Prometheus text format', async () => {
    await t.app.inject({ url: '/polls/' });
    await t.app.inject({ url: '/polls/999999/' });
    await t.app.inject({ url: '/no/such/page' });
    const response = await scrape();
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/polls\/",status="200"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="\/polls\/:id\/",status="404"\} 1$/m);
    expect(text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/polls\/",status="200"\} 1$/m,
    );
    expect(text).toMatch(/^http_requests_in_flight 1$/m); // the scrape itself
    expect(text).toMatch(/^slipway_build_info\{version="[^"]+",node="v\d+/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^db_errors_total 0$/m);
    expect(text).not.toContain('/polls/999999');
    if (t.config.database.engine === 'postgres')
      expect(text).toMatch(/^db_pool_connections\{state="total"\} \d+$/m);
  });
});

describe('without METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.close());

  it('has no /metrics at all', async () => {
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer ' } })).statusCode).toBe(
      404,
    );
  });
});
