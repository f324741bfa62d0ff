// Peak memory from Linux's /proc: VmHWM is the kernel's own high-water mark of a process's
// resident set, so one read at the end covers the whole run without sampling gaps.
import { readdirSync, readFileSync } from "node:fs";

function statusField(pid: number, field: string): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    const kib = line?.match(/(\d+)\s*kB/)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/** Peak resident set of `pid` in bytes, or undefined where /proc is unavailable. */
export function peakRss(pid: number): number | undefined {
  return statusField(pid, "VmHWM");
}

/** Direct and indirect child processes of `pid` (Ponder's build starts an esbuild service). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    // Each thread keeps its own list of the children it started.
    let children: number[] = [];
    try {
      children = readdirSync(`/proc/${p}/task`).flatMap((task) =>
        readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
      );
    } catch {
      return;
    }
    for (const child of children) {
      out.push(child);
      visit(child);
    }
  };
  visit(pid);
  return out;
}
