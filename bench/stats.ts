/** The `p`-th percentile (0-100) by nearest rank: always one of the samples, never interpolated. */
export function percentile(samples: readonly number[], p: number): number {
    if (samples.length === 0) {
        throw new Error("percentile of no samples");
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
    return sorted[rank - 1];
}

/** The median (50th percentile, nearest rank). */
export function median(samples: readonly number[]): number {
    return percentile(samples, 50);
}
