/**
 * This process's peak resident set size, for the peak-memory children.
 *
 * The peak is VmHWM from /proc/self/status where there is one, not process.resourceUsage().maxRSS:
 * Linux carries ru_maxrss across fork and exec, so a child spawned by the benchmark (which holds
 * gigabytes of sessions) would report the parent's size instead of its own. VmHWM belongs to the
 * address space the exec created, so it counts this process only.
 */
import { readFileSync } from "node:fs";

/** Peak RSS in MiB, and where it was read from. */
export function peakRss(): { mb: number; source: string } {
  try {
    const kb = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (kb) return { mb: Number(kb) / 1024, source: "VmHWM" };
  } catch {
    // Not Linux: fall through.
  }
  return { mb: process.resourceUsage().maxRSS / 1024, source: "maxRSS" }; // maxRSS is in KiB
}
