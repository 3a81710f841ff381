import { TurnPacer } from './turn-pacer.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A clock that moves on by `step` ms at every reading, as if each request took that long. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

describe('TurnPacer', () => {
  it('lets requests through at once while the turn has budget left', () => {
    const pacer = new TurnPacer(10, steppingClock(1));
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) pacer.admit(() => ran.push(i));
    expect(ran).toEqual([0, 1, 2, 3, 4]);
  });

  it('moves requests past the budget to a later turn, in the order they came', async () => {
    const pacer = new TurnPacer(10, steppingClock(4));
    const ran: number[] = [];
    for (let i = 0; i < 6; i++) pacer.admit(() => ran.push(i));
    // Readings 4, 8, 12: the third request finds 8 ms spent, the fourth 12 ms (over budget).
    expect(ran).toEqual([0, 1, 2]);
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('gives each later turn a fresh budget instead of running the whole backlog in one', async () => {
    const pacer = new TurnPacer(10, steppingClock(6));
    const ranPerTurn: number[][] = [[]];
    for (let i = 0; i < 7; i++) pacer.admit(() => ranPerTurn.at(-1)!.push(i));
    for (let turn = 0; turn < 4; turn++) {
      ranPerTurn.push([]);
      await nextTurn();
    }
    // 6 ms a request and a 10 ms budget: two requests a turn.
    expect(ranPerTurn.filter((turn) => turn.length > 0)).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
  });
});
