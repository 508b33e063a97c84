/**
 * CPU profiles of this process for one measured window (the `.cpuprofile` format `node
 * --cpu-prof` writes; open in Chrome DevTools or speedscope), so a bench can profile the server it
 * hosts during one scenario without the seeding and the other scenarios in the picture.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

export interface RunningProfile {
  /** Stops profiling and writes `<dir>/<name>.cpuprofile`; returns the file path. */
  stop(dir: string, name: string): Promise<string>;
}

export async function startCpuProfile(samplingIntervalUs = 200): Promise<RunningProfile> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await post('Profiler.start');
  return {
    async stop(dir, name) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
