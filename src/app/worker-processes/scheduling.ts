/**
 * A forked worker process's scheduling policy on Linux. A policy is per thread there, and by the
 * time `chrt` runs the child has started its own (V8's GC and compiler helpers, libuv's pool), so
 * it is applied to every thread; threads started later inherit it from the main thread. (The nice
 * value is set with `os.setPriority` right after the fork, before the child starts any thread.)
 */
import { execFile } from 'node:child_process';

/**
 * Puts every thread of `pid` under Linux's SCHED_IDLE policy (with util-linux's `chrt`, which any
 * user may do to their own processes): such a process gets a core only while no ordinary process
 * wants it, and an ordinary one that wakes up takes the core from it at once — a nice value only
 * weighs the shares. Resolves to the error when it could not (no `chrt`, not Linux, a seccomp
 * profile refusing it), so the caller can say the process keeps its nice value.
 */
export function setIdlePolicy(pid: number, chrt = 'chrt'): Promise<Error | null> {
  return new Promise((resolve) => {
    execFile(chrt, ['--idle', '--all-tasks', '--pid', '0', String(pid)], { timeout: 5_000 }, (err, _stdout, stderr) => {
      resolve(err ? new Error(`${chrt}: ${stderr.trim() || err.message}`) : null);
    });
  });
}
