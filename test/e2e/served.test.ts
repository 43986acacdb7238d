import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { servedEnv, startBuiltHttpServer, connectBuiltStdio, BuiltHttpServer } from '../helpers/builtServer';

/** The built server through the official SDK client with output-schema validation on (HTTP and stdio). */
describe('the built server through the SDK client', () => {
  let db: TestDatabase;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    server = await startBuiltHttpServer(servedEnv(db.url));
  });
  afterAll(async () => {
    await server?.stop();
    await db.drop();
  });

  it('onboards over Streamable HTTP and validates the result against the output schema', async () => {
    const client = await server.connect();
    const onboarded = await client.call('onboard', { label: 'served http' });
    expect(onboarded.isError).toBe(false);
    expect(onboarded.data.agent_id).toEqual(expect.any(String));
  });

  it('onboards over stdio', async () => {
    const client = await connectBuiltStdio(servedEnv(db.url));
    try {
      const onboarded = await client.call('onboard', { label: 'served stdio' });
      expect(onboarded.isError).toBe(false);
    } finally {
      await client.close();
    }
  });
});
