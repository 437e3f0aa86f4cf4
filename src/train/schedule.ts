// MultiStepLR stepped once per epoch: lr(epoch) = base · γ^(number of milestones ≤ epoch).
export function multiStepLr(base: number, milestones: readonly number[], gamma: number, epoch: number): number {
  return base * gamma ** milestones.filter((m) => m <= epoch).length;
}
