/** Process figures from /proc (Linux): CPU time and resident memory of a process and its descendants. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface Stat {
  pid: number;
  ppid: number;
  /** user + system, ms */
  cpuMs: number;
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(...)": state is field 3, ppid 4, utime 14, stime 15.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
  } catch {
    return null; // gone
  }
}

/** The process and all its descendants (e.g. the server, its embedded PostgreSQL and its backends). */
export function processTree(root: number): number[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => stat(Number(name)))
    .filter((s): s is Stat => s !== null);
  const children = new Map<number, number[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** CPU time (user + system, ms) one process has used. */
export const processCpuMs = (pid: number): number => stat(pid)?.cpuMs ?? 0;

/**
 * CPU time of a process and its living descendants. Descendants that exit in between are missed,
 * so measure over a window in which the tree is stable (PostgreSQL keeps its pool's backends).
 */
export const treeCpuMs = (pid: number): number => processTree(pid).reduce((sum, p) => sum + processCpuMs(p), 0);

/** Resident set size in MiB (VmRSS), or the peak (VmHWM). */
export function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export const treeRssMb = (pid: number): number => processTree(pid).reduce((sum, p) => sum + rssMb(p), 0);

/** Pins this process, all its threads included, to a CPU list such as `1` or `0,1`. */
export function pinSelf(cpu: number | string): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}
