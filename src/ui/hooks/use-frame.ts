import { useEffect, useState } from 'react';
import { createFrameBatcher, type FrameBatcher } from '../scheduler.js';
import type { Scheduler } from '../types.js';

/** One frame batcher for the whole screen, disposed with it. */
export function useFrame(scheduler: Scheduler, fps: number): FrameBatcher {
  const [frame] = useState(() => createFrameBatcher(scheduler, fps));
  useEffect(() => () => frame.dispose(), [frame]);
  return frame;
}
