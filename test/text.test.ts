import { expect } from 'chai';
import fc from 'fast-check';
import { counted } from '../core/text.ts';

describe('counted (a count with its noun)', () => {
  it('adds an s unless the count is one', () => {
    expect(counted(0, 'seed')).to.equal('0 seeds');
    expect(counted(1, 'seed')).to.equal('1 seed');
    expect(counted(2, 'worker')).to.equal('2 workers');
  });

  it('takes the plural of a noun that does not just add an s', () => {
    expect(counted(1, 'trajectory', 'trajectories')).to.equal('1 trajectory');
    expect(counted(14, 'trajectory', 'trajectories')).to.equal('14 trajectories');
  });

  it('property: the noun for one, the plural for any other count, after the count itself', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.stringMatching(/^[a-z]{1,12}$/), (n, noun) => {
        expect(counted(n, noun, `${noun}-many`)).to.equal(`${n} ${n === 1 ? noun : `${noun}-many`}`);
      }),
    );
  });
});
