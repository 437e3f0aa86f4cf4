// The engine's inbox: commands arrive at any time (worker messages) and take effect at step
// boundaries. start/pause/resume/stop are flags (the latest wins); eval/retrieve/save queue up.
import type { EngineCommand } from './events.js';

export type QueuedCommand = Extract<EngineCommand, { type: 'eval' | 'retrieve' | 'save' }>;

export class CommandInbox {
  private readonly queue: QueuedCommand[] = [];
  private wake: (() => void) | null = null;
  /** counts commands, so a wait does not miss one that arrived while the caller was busy */
  private received = 0;
  started = false;
  pauseRequested = false;
  stopRequested = false;

  push(command: EngineCommand): void {
    switch (command.type) {
      case 'start':
        this.started = true;
        break;
      case 'pause':
        this.pauseRequested = true;
        break;
      case 'resume':
        this.pauseRequested = false;
        break;
      case 'stop':
        this.stopRequested = true;
        break;
      default:
        this.queue.push(command);
    }
    this.received++;
    this.wake?.();
  }

  take(): QueuedCommand | undefined {
    return this.queue.shift();
  }

  get count(): number {
    return this.received;
  }

  /** Resolves at the first command after the count `since` (at once if one came already). */
  waitAfter(since: number): Promise<void> {
    if (this.received !== since) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }
}
