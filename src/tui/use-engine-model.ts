import { useEffect, useRef, useState } from 'react';
import type { EngineEvent } from '../train/events.js';
import { initialModel, reduce, type ConsoleModel } from './model.js';

/** The smallest source of events the console needs (an EngineHandle is one). */
export interface EventSource {
  on(listener: (event: EngineEvent) => void): () => void;
}

/** At most 15 renders per second, however fast events come. */
export const FRAME_MS = 1000 / 15;

/** Folds every event into the model at once and publishes it to React at most once a frame. */
export function useEngineModel(source: EventSource, frameMs = FRAME_MS): ConsoleModel {
  const latest = useRef<ConsoleModel>(initialModel());
  const [model, setModel] = useState<ConsoleModel>(latest.current);
  useEffect(() => {
    let timer: NodeJS.Timeout | null = null;
    let lastFrame = 0;
    const publish = () => {
      timer = null;
      lastFrame = Date.now();
      setModel(latest.current);
    };
    const off = source.on((event) => {
      latest.current = reduce(latest.current, event);
      if (timer) return;
      const wait = Math.max(0, lastFrame + frameMs - Date.now());
      timer = setTimeout(publish, wait);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [source, frameMs]);
  return model;
}
