/** One pino line of a node process. */
interface LogLine {
  level: number;
  msg: string;
}

/**
 * Collects a node process's JSON log lines: pass `collect` as spawnNode's
 * `onStdoutLine`, so the lines of its start are kept too.
 */
export function logCollector() {
  const lines: LogLine[] = [];
  return {
    lines,
    collect: (line: string) => {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        /* not a log line */
      }
    },
    /** The messages at warn level and above. */
    loud: () => lines.filter((l) => l.level >= 40).map((l) => l.msg),
  };
}
