/**
 * Repeated runs, mock and reference interleaved: each round takes `samples` of one side then of the other
 * (who goes first alternates), and keeps the median of each side's samples. Interleaving puts both sides
 * under the same neighbours on a shared machine; a slow minute lowers a round of both, not one side.
 */
import { roundOrder } from './compare.ts'
import { median } from './stats.ts'

export interface RoundOptions {
  rounds: number
  /** Samples per side and round; the round keeps their median. */
  samples: number
}

export interface RoundFigures {
  measured: number[]
  reference: number[]
}

export async function interleavedRounds(options: RoundOptions, measured: () => Promise<number>, reference: () => Promise<number>): Promise<RoundFigures> {
  const figures: RoundFigures = { measured: [], reference: [] }
  const measuredSide = { take: measured, into: figures.measured }
  const referenceSide = { take: reference, into: figures.reference }
  for (let round = 0; round < options.rounds; round++) {
    for (const side of roundOrder(round, measuredSide, referenceSide)) {
      const samples: number[] = []
      for (let i = 0; i < options.samples; i++) samples.push(await side.take())
      side.into.push(median(samples))
    }
  }
  return figures
}
