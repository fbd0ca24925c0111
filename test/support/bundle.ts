import { build, type Rolldown } from 'vite';

/** Bundles `entry` as the browser would get it, in memory; returns the code and the modules it took in. */
export async function bundleInMemory(entry: string | Record<string, string>): Promise<{ code: string; modules: string[] }> {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: (_format, name) => `${name}.js` } },
  })) as Rolldown.RolldownOutput[] | Rolldown.RolldownOutput;
  const chunks = (Array.isArray(out) ? out : [out]).flatMap((o) => o.output).filter((c) => c.type === 'chunk');
  return {
    code: chunks.map((c) => (c as { code: string }).code).join('\n'),
    modules: chunks.flatMap((c) => Object.keys((c as { modules: Record<string, unknown> }).modules)),
  };
}
