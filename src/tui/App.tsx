// The live console: renders the engine's state and sends commands; it computes nothing itself.
import { Box, Static, Text, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { EngineCommand } from '../train/events.js';
import { AccuracyPanel } from './components/AccuracyPanel.js';
import { GatePanel } from './components/GatePanel.js';
import { Header } from './components/Header.js';
import { HelpBar, HelpPane } from './components/HelpBar.js';
import { LossCharts } from './components/LossCharts.js';
import { ProgressPanel } from './components/ProgressPanel.js';
import { RetrievalPane } from './components/RetrievalPane.js';
import { ThroughputPanel } from './components/ThroughputPanel.js';
import { bar } from './format.js';
import type { ConsoleModel, LogLine } from './model.js';

export type Pane = 'training' | 'retrieval';
const PANES: Pane[] = ['training', 'retrieval'];

export interface AppProps {
  model: ConsoleModel;
  send: (command: EngineCommand) => void;
  /** called once the user has confirmed quitting (after a stop was sent, when one was needed) */
  onQuit: () => void;
  columns: number;
  rows: number;
}

const LOG_COLOURS: Record<LogLine['kind'], string | undefined> = {
  epoch: undefined,
  eval: 'green',
  warning: 'yellow',
  checkpoint: 'blue',
  error: 'red',
  info: 'gray',
};

export function App({ model, send, onQuit, columns, rows }: AppProps) {
  const { exit } = useApp();
  const [pane, setPane] = useState<Pane>('training');
  const [help, setHelp] = useState(false);
  const [selected, setSelected] = useState(0);
  const [confirmQuit, setConfirmQuit] = useState(false);
  const training = model.state === 'running' || model.state === 'paused' || model.state === 'evaluating';
  // The key handler reads the newest render's values: input can arrive before effects re-subscribe.
  const current = useRef({ model, pane, training, confirmQuit });
  current.current = { model, pane, training, confirmQuit };

  const quit = () => {
    if (current.current.training) send({ type: 'stop' });
    onQuit();
    exit();
  };

  useInput((input, key) => {
    const { model, pane, training, confirmQuit } = current.current;
    if (confirmQuit) {
      if (input === 'y' || input === 'Y') quit();
      else setConfirmQuit(false);
      return;
    }
    if (input === 'q' || (key.ctrl && input === 'c')) {
      if (training) setConfirmQuit(true);
      else quit();
    } else if (input === 's') {
      if (model.state === 'idle') send({ type: 'start' });
    } else if (input === 'p') {
      if (model.state === 'running' || model.state === 'evaluating') send({ type: 'pause' });
      else if (model.state === 'paused') send({ type: 'resume' });
    } else if (input === 'e') {
      send({ type: 'eval' });
    } else if (input === 'r') {
      send({ type: 'retrieve' });
      setPane('retrieval');
    } else if (input === 'c') {
      send({ type: 'save' });
    } else if (input === '?') {
      setHelp((h) => !h);
    } else if (key.tab) {
      setPane((p) => PANES[(PANES.indexOf(p) + 1) % PANES.length]!);
    } else if (pane === 'retrieval' && key.upArrow) {
      setSelected((s) => Math.max(0, s - 1));
    } else if (pane === 'retrieval' && key.downArrow) {
      setSelected((s) => Math.min((model.retrieval?.results.length ?? 1) - 1, s + 1));
    }
  });

  const half = Math.max(30, Math.floor((columns - 2) / 2));
  const progress = model.datasetProgress;
  return (
    <>
      <Static items={model.log}>
        {(line) => (
          <Text key={line.id} color={LOG_COLOURS[line.kind]}>
            {line.text}
          </Text>
        )}
      </Static>
      <Box flexDirection="column" width={columns}>
        <Header run={model.run} state={model.state} warnings={model.warnings} />
        {progress ? (
          <Text>
            {' '}
            {progress.stage} {bar(progress.total ? progress.done / progress.total : 0, 30)} {progress.done}/{progress.total}
          </Text>
        ) : null}
        <ProgressPanel run={model.run} lastStep={model.lastStep} width={columns} />
        {help ? <HelpPane /> : null}
        {pane === 'training' ? (
          <Box flexDirection="row">
            <Box flexDirection="column" width={half}>
              <LossCharts history={model.lossHistory} width={half - 4} />
              <ThroughputPanel lastStep={model.lastStep} />
            </Box>
            <Box flexDirection="column" width={half}>
              <AccuracyPanel evals={model.evals} epochs={model.epochs} lastStep={model.lastStep} width={half - 4} />
              <GatePanel gate={model.gate} meanHistory={model.gateMeanHistory} width={half - 4} />
            </Box>
          </Box>
        ) : (
          <RetrievalPane retrieval={model.retrieval} selected={selected} height={Math.max(3, rows - 14)} />
        )}
        {model.error ? <Text color="red">error: {model.error}</Text> : null}
        {confirmQuit ? (
          <Text color="yellow" bold>
            Training is in progress: save a checkpoint and quit? (y/n)
          </Text>
        ) : (
          <HelpBar />
        )}
        {model.state === 'idle' && !confirmQuit ? <Text color="green"> press s to start training</Text> : null}
      </Box>
    </>
  );
}
