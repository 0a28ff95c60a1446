/** The few facts the double needs from a client's SDP offer. Test-only. */

export interface OfferedSection {
  readonly mid: string;
  readonly kind: 'audio' | 'video' | 'application';
  readonly direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** The track id of `a=msid:<stream> <track>` (the client's `cid` for tracks it publishes). */
  readonly msidTrack: string | null;
}

export function offeredSections(sdp: string): OfferedSection[] {
  const sections: OfferedSection[] = [];
  const parts = sdp.split(/\r?\n(?=m=)/).slice(1);
  for (const part of parts) {
    const kind = /^m=(\w+)/.exec(part)?.[1];
    const mid = /\r?\na=mid:(\S+)/.exec(part)?.[1];
    if (!kind || mid === undefined) continue;
    if (kind !== 'audio' && kind !== 'video' && kind !== 'application') continue;
    const dir = /\r?\na=(sendrecv|sendonly|recvonly|inactive)\b/.exec(part)?.[1] ?? 'sendrecv';
    const msid = /\r?\na=msid:\S+ (\S+)/.exec(part)?.[1] ?? null;
    sections.push({
      mid,
      kind,
      direction: dir as OfferedSection['direction'],
      msidTrack: msid,
    });
  }
  return sections;
}
