/** The stitcher logs through one function, so the host decides where lines go. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type StitcherLogger = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Default: warnings and errors as JSON lines on stderr; quieter levels dropped. */
export const stderrLogger: StitcherLogger = (level, message, fields) => {
  if (level === 'debug' || level === 'info') return;
  process.stderr.write(`${JSON.stringify({ level, component: 'stitcher', message, ...fields })}\n`);
};

export const silentLogger: StitcherLogger = () => {};
