import { Text } from 'ink';
import { gateSummary, gateValue } from '../../train/describe-event.js';
import type { GateEvent, GateGroup } from '../../train/events.js';
import { bar, fit, fixed, histogram, percent, sparkline } from '../format.js';
import type { ConsoleModel } from '../model.js';
import type { Lines } from './Section.js';

const GROUP_LABEL = 10;
const BAR = 6;
/** columns of a group row without its sample count */
const GROUP_ROW = GROUP_LABEL + 1 + 5 + 1 + BAR + 2 + 6 + 1 + BAR;
const COUNT = 7;

/** One teacher group's gate: mean and share below 0.5, each with a small bar, and its sample count when there is room. */
function groupLine(name: string, group: GateGroup, withCount: boolean) {
  return (
    <Text key={name} wrap="truncate">
      {name.padEnd(GROUP_LABEL)} {fixed(group.mean, 3).padStart(5)} {bar(group.mean ?? 0, BAR)}  {percent(group.belowHalf).padStart(6)}{' '}
      {bar(group.belowHalf ?? 0, BAR)}
      {withCount ? <Text dimColor>{String(group.count).padStart(COUNT)}</Text> : null}
    </Text>
  );
}

/** The AUC trend of one split over its gate events, on a fixed [0, 1] scale, with the latest value. */
function aucLine(split: string, values: number[], width: number) {
  const head = `AUC ${split.padEnd(10)} ${fixed(values[values.length - 1], 2)} `;
  return (
    <Text key={`auc-${split}`} wrap="truncate">
      {head}
      <Text color="magenta">{sparkline(values, Math.max(4, width - head.length), { lo: 0, hi: 1 })}</Text>
    </Text>
  );
}

/**
 * The MNF filter at work: how gate values spread over [0, 1]; with the dataset's teacher truth, the
 * gate on clean against irrelevant teacher features and the AUC of telling them apart, per epoch;
 * then how the mean moves and the classes gated most and least. Rows in the order they are kept.
 */
export function gateLines(model: Pick<ConsoleModel, 'gate' | 'gateMeanHistory' | 'gateAuc'>, width: number): Lines {
  const gate: GateEvent | null = model.gate;
  if (!gate) return [<Text key="none" dimColor wrap="truncate">no gate statistics yet (methods with MNF only)</Text>];
  const lines: Lines = [
    <Text key="hist" wrap="truncate">
      0 <Text color="magenta">{histogram(gate.histogram)}</Text> 1 <Text dimColor>epoch {gate.epoch}</Text>
    </Text>,
    <Text key="summary" wrap="truncate">
      {gateSummary(gate)}
    </Text>,
  ];
  const teacher = gate.byTeacher;
  if (teacher) {
    const withCount = GROUP_ROW + COUNT <= width;
    lines.push(
      <Text key="groups" dimColor wrap="truncate">
        {'teacher'.padEnd(GROUP_LABEL)} {'mean'.padStart(5)} {' '.repeat(BAR)}  {'<0.5'.padStart(6)} {' '.repeat(BAR)}
        {withCount ? 'samples'.padStart(COUNT) : ''}
      </Text>,
      groupLine('clean', teacher.clean, withCount),
      groupLine('irrelevant', teacher.irrelevant, withCount),
    );
  }
  if (model.gateAuc.training.length > 0) lines.push(aucLine('training', model.gateAuc.training, width));
  if (model.gateAuc.validation.length > 0) lines.push(aucLine('validation', model.gateAuc.validation, width));
  lines.push(
    <Text key="mean" wrap="truncate">
      mean over time <Text color="magenta">{sparkline(model.gateMeanHistory, Math.max(4, width - 15))}</Text>
    </Text>,
  );
  const classes = gate.perClass.filter((c) => c.mean !== null).sort((a, b) => a.mean! - b.mean!);
  const shown = [...classes.slice(0, 2), ...classes.slice(-2)].filter((c, i, all) => all.indexOf(c) === i);
  const nameWidth = Math.min(Math.max(0, width - 6), Math.max(0, ...shown.map((c) => [...c.name].length)));
  for (const c of shown) {
    lines.push(
      <Text key={`class-${c.label}`} dimColor wrap="truncate">
        {fit(c.name, nameWidth).padEnd(nameWidth)} {gateValue(c.mean!)}
      </Text>,
    );
  }
  return lines;
}
