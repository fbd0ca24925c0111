/**
 * What every bench reports about the machine it ran on, so a number can be
 * read with its context: the CPU, the cores, Node, and the load average
 * before and after (a busy machine explains a bad p99). Also the CPU time a
 * child process used, from /proc, to put a cost on each request.
 */
import fs from 'node:fs';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the bench began and when it ended. */
  loadBefore: number[];
  loadAfter?: number[];
}

const load = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

/** Call at the start of a bench; `finish` again at its end. */
export function machineAtStart(): Machine {
  return { cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU', cores: os.cpus().length, node: process.version, loadBefore: load() };
}

export function finishMachine(m: Machine): Machine {
  return { ...m, loadAfter: load() };
}

/** One line for the report: "2 cores (AMD EPYC), Node v20.20.2; load 0.31 0.40 0.52 before, 1.80 1.10 0.70 after". */
export function describeMachine(m: Machine): string {
  const l = (xs: number[]) => xs.map((n) => n.toFixed(2)).join(' ');
  return `${m.cores} cores (${m.cpu}), Node ${m.node}; load average ${l(m.loadBefore)} before${m.loadAfter ? `, ${l(m.loadAfter)} after` : ''}`;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; null where /proc is not there. */
export function cpuSecondsOf(pid: number): number | null {
  // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
  return cpuSecondsOfStat(`/proc/${pid}/stat`);
}

/** CPU seconds of the process's main thread (the event loop) alone; null where /proc is not there. */
export function mainThreadCpuSecondsOf(pid: number): number | null {
  return cpuSecondsOfStat(`/proc/${pid}/task/${pid}/stat`);
}

/**
 * Seconds the process's main thread has so far waited on a run queue, ready
 * to run but without a core (/proc schedstat); null where /proc is not there.
 */
export function runQueueWaitSecondsOf(pid: number): number | null {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return null;
  }
}

function cpuSecondsOfStat(file: string): number | null {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Median and spread of repeated measurements. */
export function spread(xs: number[]): { median: number; min: number; max: number; runs: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0] ?? NaN, max: s.at(-1) ?? NaN, runs: s.length };
}
