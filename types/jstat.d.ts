/** The part of jStat (npm `jstat`, which ships no types) that the leaderboard statistics use. */
declare module 'jstat' {
  interface StudentT {
    inv(p: number, dof: number): number;
    cdf(x: number, dof: number): number;
  }
  interface Normal {
    inv(p: number, mean: number, sd: number): number;
  }
  const jstat: { jStat: { studentt: StudentT; normal: Normal } };
  export default jstat;
}
