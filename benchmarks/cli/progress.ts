/** One progress line for long preparation (encoding a data set's features): done/total, rate and ETA, every `every` items and at the end. */
export function featureProgress(write: (line: string) => void = (l) => process.stderr.write(l), every = 50): (done: number, total: number) => void {
  const t0 = performance.now();
  let first = -1;
  return (done, total) => {
    if (first < 0) first = done; // images read back from the disk cache count as done at once
    if (done % every !== 0 && done !== total) return;
    const s = (performance.now() - t0) / 1000;
    const rate = s > 0 ? (done - first) / s : 0;
    const eta = rate > 0 ? `, ETA ${Math.ceil((total - done) / rate)} s` : '';
    write(`features: ${done}/${total} images (${s.toFixed(0)} s${rate > 0 ? `, ${rate.toFixed(1)}/s` : ''}${done < total ? eta : ''})\n`);
  };
}
