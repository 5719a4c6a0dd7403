// One sample a second of the current total speed, for the header sparkline.
import { useEffect, useRef, useState } from 'react';
import { pushSample } from '../state/sparkline.js';

export function useThroughput(bytesPerSec: number, samples: number): number[] {
  const [throughput, setThroughput] = useState<number[]>([]);
  const rateRef = useRef(0);
  rateRef.current = bytesPerSec;
  useEffect(() => {
    const timer = setInterval(() => setThroughput((s) => pushSample(s, rateRef.current, samples)), 1000);
    return () => clearInterval(timer);
  }, [samples]);
  return throughput;
}
