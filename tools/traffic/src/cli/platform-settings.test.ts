import { parseEnvFile, parseWriteKeys, resolvePlatformSettings } from './platform-settings';

describe('platform settings', () => {
  it('parseEnvFile should read KEY=VALUE lines, ignoring comments and quotes', () => {
    expect(
      parseEnvFile('# keys\nTESSERA_WRITE_KEY=tsk_a_b\nexport TESSERA_READ_KEY="tsk_c_d"\n\nnot a line'),
    ).toEqual({ TESSERA_WRITE_KEY: 'tsk_a_b', TESSERA_READ_KEY: 'tsk_c_d' });
  });

  it('parseWriteKeys should map routes to keys and reject unknown routes', () => {
    expect(parseWriteKeys('pos=k1, shopify=k2')).toEqual({ pos: 'k1', shopify: 'k2' });
    expect(() => parseWriteKeys('fax=k')).toThrow(/"fax" is not one of/);
  });

  it('resolvePlatformSettings should prefer flags over the environment and fall back to local ports', () => {
    const s = resolvePlatformSettings(
      { ingestUrl: 'http://i:1', keysFile: '/nonexistent' },
      { TESSERA_WRITE_KEY: 'w', TESSERA_READ_KEY: 'r', PROFILE_STORE_PORT: '9082' },
    );
    expect(s).toEqual({
      ingestUrl: 'http://i:1',
      identityUrl: 'http://127.0.0.1:8081',
      profileUrl: 'http://127.0.0.1:9082',
      consentUrl: 'http://127.0.0.1:8083',
      writeKeys: { default: 'w' },
      readKey: 'r',
    });
  });
});
