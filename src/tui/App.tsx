// The live console: renders the engine's state and sends commands; it computes nothing itself.
// Its frame is budgeted row by row to stay one row shorter than the terminal: the header stays on
// the first row (the log above it scrolls away), and Ink never falls back to redrawing the whole
// screen (which a frame as tall as the terminal makes it do, every frame).
import { Box, Static, Text, useApp, useInput } from 'ink';
import { useRef, useState } from 'react';
import type { EngineCommand } from '../train/events.js';
import type { ColourDepth } from './colour.js';
import { accuracyLines } from './components/AccuracyPanel.js';
import { gateLines } from './components/GatePanel.js';
import { Header } from './components/Header.js';
import { HelpBar, helpLines } from './components/HelpBar.js';
import { LOG_COLOURS, recentLogLines } from './components/LogPanel.js';
import { lossLines } from './components/LossCharts.js';
import { ProgressPanel } from './components/ProgressPanel.js';
import { RetrievalPane } from './components/RetrievalPane.js';
import { Section, sectionHeight, type Lines } from './components/Section.js';
import { throughputLines } from './components/ThroughputPanel.js';
import { bar, fit, wrapText } from './format.js';
import { shownTerms, type ConsoleModel } from './model.js';

export type Pane = 'training' | 'retrieval';
const PANES: Pane[] = ['training', 'retrieval'];

/** below this many rows the progress takes one row instead of two */
const ROOMY_ROWS = 30;
/** below this many columns the training panels stack in one column */
const TWO_COLUMNS = 64;
/** rows an error message may take */
const ERROR_ROWS = 3;

export interface AppProps {
  model: ConsoleModel;
  send: (command: EngineCommand) => void;
  /** called once the user has confirmed quitting (after a stop was sent, when one was needed) */
  onQuit: () => void;
  columns: number;
  rows: number;
  /** what the terminal can show: thumbnails need colour (default: none, ids and labels only) */
  colours?: ColourDepth;
}

interface Block {
  title: string;
  lines: Lines;
}

/** Blocks stacked in `height` rows, each cut to what is left; returns them with their heights. */
function stack(blocks: readonly Block[], height: number): { block: Block; height: number }[] {
  let left = height;
  return blocks.map((block) => {
    const h = sectionHeight(block.lines, left);
    left -= h;
    return { block, height: h };
  });
}

function Column({ blocks, width }: { blocks: { block: Block; height: number }[]; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {blocks.map(({ block, height }) => (
        <Section key={block.title} title={block.title} width={width} height={height} lines={block.lines} />
      ))}
    </Box>
  );
}

/** Losses, throughput and the recent log on the left; accuracy and the gate on the right. */
function TrainingPane({ model, width, height }: { model: ConsoleModel; width: number; height: number }) {
  const two = width >= TWO_COLUMNS;
  const leftWidth = two ? Math.floor((width - 1) / 2) : width;
  const rightWidth = two ? width - 1 - leftWidth : width;
  const losses: Block = { title: 'losses (per step)', lines: lossLines(shownTerms(model), model.lossHistory, leftWidth) };
  const throughput: Block = { title: 'throughput', lines: throughputLines(model.lastStep) };
  const accuracy: Block = { title: 'accuracy', lines: accuracyLines(model.evals, model.epochs, model.lastStep, rightWidth) };
  const gate: Block = { title: 'MNF gate', lines: gateLines(model, rightWidth) };
  const withLog = (blocks: { block: Block; height: number }[], logWidth: number) => {
    const used = blocks.reduce((sum, b) => sum + b.height, 0);
    const rows = height - used - 1;
    if (rows < 1 || model.log.length === 0) return blocks;
    return [...blocks, { block: { title: 'log', lines: recentLogLines(model.log, logWidth, rows) }, height: rows + 1 }];
  };
  if (!two) return <Column blocks={withLog(stack([losses, accuracy, gate, throughput], height), width)} width={width} />;
  return (
    <Box flexDirection="row" width={width} columnGap={1}>
      <Column blocks={withLog(stack([losses, throughput], height), leftWidth)} width={leftWidth} />
      <Column blocks={stack([accuracy, gate], height)} width={rightWidth} />
    </Box>
  );
}

export function App({ model, send, onQuit, columns, rows, colours = 'none' }: AppProps) {
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

  const width = Math.max(1, columns);
  const inner = Math.max(1, width - 2);
  const progress = model.datasetProgress;
  const compact = rows < ROOMY_ROWS;
  const progressRows = progress || compact ? 1 : 2;
  const errorLines = model.error ? wrapText(`error: ${model.error}`, inner).slice(0, ERROR_ROWS) : [];
  // the last row stays free (see the top of this file)
  const body = Math.max(0, rows - 1 - 1 - progressRows - errorLines.length - 1);
  const idle = model.state === 'idle' && !confirmQuit;
  return (
    <>
      <Static items={model.log}>
        {(line) => (
          <Text key={line.id} color={LOG_COLOURS[line.kind]}>
            {line.text}
          </Text>
        )}
      </Static>
      <Box flexDirection="column" width={width}>
        <Header run={model.run} state={model.state} warnings={model.warnings} width={width} />
        {progress ? (
          <Box paddingX={1}>
            <Text wrap="truncate">
              {progress.stage} {bar(progress.total ? progress.done / progress.total : 0, Math.max(4, Math.min(30, inner - progress.stage.length - 16)))}{' '}
              {progress.done}/{progress.total}
            </Text>
          </Box>
        ) : (
          <ProgressPanel run={model.run} lastStep={model.lastStep} width={width} compact={compact} />
        )}
        <Box flexDirection="column" height={body} paddingX={1} overflow="hidden">
          {help ? (
            <Section title="keys" width={inner} height={body} lines={helpLines()} />
          ) : pane === 'training' ? (
            <TrainingPane model={model} width={inner} height={body} />
          ) : (
            <RetrievalPane retrieval={model.retrieval} selected={selected} width={inner} height={body} colours={colours} />
          )}
        </Box>
        {errorLines.map((line, i) => (
          <Box key={i} paddingX={1}>
            <Text color="red" wrap="truncate">
              {line}
            </Text>
          </Box>
        ))}
        {confirmQuit ? (
          <Box paddingX={1}>
            <Text color="yellow" bold wrap="truncate">
              {fit('Training is in progress: save a checkpoint and quit? (y/n)', inner)}
            </Text>
          </Box>
        ) : (
          <HelpBar width={width} idle={idle} />
        )}
      </Box>
    </>
  );
}
