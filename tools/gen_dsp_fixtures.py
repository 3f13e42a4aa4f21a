#!/usr/bin/env python3
"""Regenerates tests/fixtures/dsp/*.json: reference outputs of scipy for the
filter design, filtering, median filtering and peak finding that heartwave
implements in C++. Run with Debian's python3-scipy:

    /usr/bin/python3 tools/gen_dsp_fixtures.py

The inputs are generated here from a fixed seed, so the fixtures are small
and fully reproducible; no ECG data is stored.
"""
import json
import os

import mpmath
import numpy as np
import scipy
from scipy import ndimage, signal

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "dsp")


def synthetic_ecg(n, fs, rng):
    t = np.arange(n) / fs
    x = 0.3 * np.sin(2 * np.pi * 0.3 * t)            # baseline wander
    for beat in np.arange(0.4, t[-1], 0.8):           # QRS-like spikes
        x += 1.2 * np.exp(-((t - beat) ** 2) / (2 * 0.01 ** 2))
        x += 0.25 * np.exp(-((t - beat - 0.25) ** 2) / (2 * 0.04 ** 2))
    x += 0.05 * rng.standard_normal(n)               # noise
    x += 0.1 * np.sin(2 * np.pi * 50 * t)             # mains
    return x


def exact_filtfilt(b, a, x):
    """filtfilt in 40-digit arithmetic on the same float64 coefficients, to
    measure how far float64 results (scipy's and heartwave's) are from exact."""
    mpmath.mp.dps = 40
    b = [mpmath.mpf(v) for v in b]
    a = [mpmath.mpf(v) for v in a]
    b = [v / a[0] for v in b]
    a = [v / a[0] for v in a]
    n = len(a)
    m = n - 1
    M = mpmath.matrix(m, m)
    for i in range(m):
        M[i, i] = 1
        M[i, 0] += a[i + 1]
        if i + 1 < m:
            M[i, i + 1] -= 1
    rhs = mpmath.matrix([b[i + 1] - a[i + 1] * b[0] for i in range(m)])
    zi = mpmath.lu_solve(M, rhs)
    zi = [zi[i] for i in range(m)]

    def lf(xs, z):
        z = list(z)
        out = []
        for xt in xs:
            yt = b[0] * xt + z[0]
            for i in range(m - 1):
                z[i] = b[i + 1] * xt + z[i + 1] - a[i + 1] * yt
            z[m - 1] = b[m] * xt - a[m] * yt
            out.append(yt)
        return out

    xs = [mpmath.mpf(v) for v in x]
    pad = 3 * n
    ext = [2 * xs[0] - xs[pad - i] for i in range(pad)] + xs + [2 * xs[-1] - xs[-2 - i] for i in range(pad)]
    y = lf(ext, [z * ext[0] for z in zi])
    y = y[::-1]
    y = lf(y, [z * y[0] for z in zi])[::-1]
    return ([float(v) for v in zi], [float(v) for v in lf(xs, [0] * m)], [float(v) for v in y[pad:-pad]])


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20261125)
    designs = []
    for order, cutoff, btype, fs in [
        (5, [40.0], "lowpass", 360.0),
        (1, [15.0], "lowpass", 360.0),
        (2, [0.5], "highpass", 360.0),
        (4, [0.5], "highpass", 250.0),
        (3, [0.5, 40.0], "bandpass", 360.0),
        (2, [5.0, 15.0], "bandpass", 200.0),
        (8, [100.0], "lowpass", 1000.0),
        (6, [1.0, 45.0], "bandpass", 500.0),
        (7, [30.0], "lowpass", 360.0),
    ]:
        wn = cutoff[0] if len(cutoff) == 1 else cutoff
        b, a = signal.butter(order, wn, btype=btype, fs=fs)
        designs.append({"order": order, "cutoff_hz": cutoff, "type": btype, "fs": fs,
                        "b": b.tolist(), "a": a.tolist()})

    filtering = []
    # [6] has 9 coefficients, [8] has 8 (the generic kernel). [7], a 12th-order
    # band-pass in (b, a) form, is too ill-conditioned for any float64 filter
    # (scipy is 1e-3 from exact): only its design is compared.
    for d in designs[:7] + [designs[8]]:
        b, a = np.array(d["b"]), np.array(d["a"])
        for n in (187, 600):
            x = synthetic_ecg(n, d["fs"], rng)
            ezi, elf, eff = exact_filtfilt(b, a, x)
            filtering.append({"design": designs.index(d), "x": x.tolist(),
                              "lfilter": signal.lfilter(b, a, x).tolist(),
                              "lfilter_zi": signal.lfilter_zi(b, a).tolist(),
                              "filtfilt": signal.filtfilt(b, a, x).tolist(),
                              "exact_lfilter": elf, "exact_lfilter_zi": ezi, "exact_filtfilt": eff})

    medians = []
    for n, w in ((500, 73), (300, 217), (50, 73), (1000, 5)):
        x = synthetic_ecg(n, 360.0, rng)
        medians.append({"window": w, "x": x.tolist(),
                        "y": ndimage.median_filter(x, size=w, mode="nearest").tolist()})

    peaks = []
    for n in (187, 187, 187, 400):
        x = synthetic_ecg(n, 360.0, rng) + 0.3 * rng.standard_normal(n)
        h = 0.3 * x.max()
        p, _ = signal.find_peaks(x, height=h, distance=72)
        peaks.append({"x": x.tolist(), "height": h, "distance": 72, "peaks": p.tolist()})
    # plateaus
    x = np.array([0, 1, 1, 1, 0, 2, 2, 0, 3, 3, 3, 3, 1, 0], dtype=float)
    p, _ = signal.find_peaks(x)
    peaks.append({"x": x.tolist(), "height": -1e9, "distance": 1, "peaks": p.tolist()})

    # Morphology features (the float32 beat, computed in float64).
    from scipy import stats
    features = []
    for k in range(6):
        x = synthetic_ecg(187, 360.0, rng)[::-1].copy() if k % 2 else synthetic_ecg(187, 360.0, rng)
        x = (x * (1 + k) - 0.2 * k).astype(np.float32).astype(np.float64)
        std = x.std()
        med = np.median(x)
        p, _ = signal.find_peaks(x, height=0.3 * x.max(), distance=72)
        crossings = lambda v: int(np.sum(np.signbit(v[1:]) != np.signbit(v[:-1])))
        f = [x.mean(), std, x.var(), med, np.median(np.abs(x - med)), stats.skew(x), stats.kurtosis(x),
             x.max(), x.min(), x.max() - x.min(), np.ptp(x), np.sum(x ** 2), np.mean(x ** 2),
             np.sqrt(np.mean(x ** 2)), crossings(x), crossings(x - x.mean()), x.max() / (std + 1e-6),
             len(p), x[93], np.argmax(x) / 187.0, np.trapz(np.abs(x))]
        segs = np.split(x, [37, 74, 111, 148])
        f += [s.mean() for s in segs] + [s.std() for s in segs] + [np.trapz(np.abs(s)) for s in segs]
        features.append({"x": x.tolist(), "r_index": 93, "features": [float(v) for v in f]})

    meta = {"scipy": scipy.__version__, "numpy": np.__version__, "generator": "tools/gen_dsp_fixtures.py"}
    for name, payload in (("butter", designs), ("filtering", filtering), ("median", medians), ("peaks", peaks), ("morphology", features)):
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"meta": meta, "cases": payload}, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
