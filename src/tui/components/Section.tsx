import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { fit } from '../format.js';

/** One row of a panel: never wraps (the layout counts rows), cut at the panel's width. */
export type Lines = ReactElement[];

/**
 * A titled block of at most `height` rows: a rule with the title, then the first lines that fit.
 * Fewer than two rows show nothing (a title alone says nothing).
 */
export function Section({ title, width, height, lines }: { title: string; width: number; height: number; lines: Lines }) {
  if (height < 2) return null;
  const label = fit(title, Math.max(0, width - 3));
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" dimColor>
        ─ <Text bold>{label}</Text> {'─'.repeat(Math.max(0, width - [...label].length - 3))}
      </Text>
      {lines.slice(0, height - 1)}
    </Box>
  );
}

/** Rows a section of `lines` takes, within `room`: 0 when fewer than two fit. */
export const sectionHeight = (lines: Lines, room: number): number => {
  const height = Math.min(lines.length + 1, room);
  return height < 2 ? 0 : height;
};
