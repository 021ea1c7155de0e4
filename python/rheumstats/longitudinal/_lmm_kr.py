"""Kenward–Roger for a one-grouping-factor LMM, as pbkrtest (``vcovAdj`` and
``ddf_Lb``, used by lmerTest's ``ddf = "Kenward-Roger"``).

Covariance parameters γ in the linear parameterisation V = Σ_r γ_r G_r:
the entries (lower triangle, column-wise) of each random-effects term's
covariance matrix, then σ². V is block-diagonal by subject, so every
quantity is a sum over subjects: P_r = −Σ XᵢᵀVᵢ⁻¹G_rᵢVᵢ⁻¹Xᵢ,
Q_rs = Σ XᵢᵀVᵢ⁻¹G_rᵢVᵢ⁻¹G_sᵢVᵢ⁻¹Xᵢ, K_rs = Σ tr(G_rᵢVᵢ⁻¹G_sᵢVᵢ⁻¹);
the expected information I_rs = K_rs − 2 tr(ΦQ_rs) + tr(ΦP_rΦP_s), W = 2I⁻¹,
Φ_A = Φ + 2Φ U Φ with U = Σ_rs W_rs (Q_rs − P_rΦP_s). One-row df as
pbkrtest's ``ddf_Lb``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kenward_roger", "kr_ddf"]


def _params(sizes, covs):
    """(block offset, E pattern) per covariance parameter of the random terms."""
    out = []
    off = 0
    for s in sizes:
        for c in range(s):
            for r in range(c, s):
                E = np.zeros((s, s))
                E[r, c] = E[c, r] = 1.0
                out.append((off, s, E))
        off += s
    return out


def kenward_roger(X, Z, codes, m, sizes, covs, sigma2, phi):
    """Returns (Φ_A, P list, W). ``covs``: the covariance matrix of each
    random-effects term (σ²-scaled, as VarCorr)."""
    p = X.shape[1]
    params = _params(sizes, covs)
    gam = []
    # γ values: the covariance entries, then σ²
    G_blocks = []
    off = 0
    for s, C in zip(sizes, covs):
        G_blocks.append((off, s, C))
        off += s
    for (off, s, E) in params:
        C = next(C for (o, ss, C) in G_blocks if o == off)
        r, c = np.argwhere(E)[0]
        gam.append(C[r, c])
    gam.append(sigma2)
    ng = len(gam)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(m + 1))
    P = [np.zeros((p, p)) for _ in range(ng)]
    Q = {}
    for r in range(ng):
        for s in range(r, ng):
            Q[r, s] = np.zeros((p, p))
    K = np.zeros((ng, ng))
    for i in range(m):
        rows = order[bounds[i] : bounds[i + 1]]
        Xi, Zi = X[rows], Z[rows]
        ni = len(rows)
        Gs = []
        for (off, s, E) in params:
            Zs = Zi[:, off : off + s]
            Gs.append(Zs @ E @ Zs.T)
        Gs.append(np.eye(ni))
        V = sum(g * G for g, G in zip(gam, Gs))
        Vi = np.linalg.inv(V)
        ViX = Vi @ Xi
        H = [G @ Vi for G in Gs]  # G_r V⁻¹
        O = [Hr @ Xi for Hr in H]  # G_r V⁻¹ X
        for r in range(ng):
            P[r] -= O[r].T @ ViX
            OtVi = O[r].T @ Vi
            for s in range(r, ng):
                Q[r, s] += OtVi @ O[s]
                K[r, s] += np.sum(H[r].T * H[s])
    P = [(Pr + Pr.T) / 2 for Pr in P]
    I = np.zeros((ng, ng))
    for r in range(ng):
        PhiPr = phi @ P[r]
        for s in range(r, ng):
            I[r, s] = I[s, r] = K[r, s] - 2 * np.sum(phi * Q[r, s]) + np.sum(PhiPr * (P[s] @ phi))
    ev = np.linalg.eigvalsh(I)
    W = 2 * (np.linalg.inv(I) if np.min(np.abs(ev)) > 1e-10 else np.linalg.pinv(I))
    W = (W + W.T) / 2
    U = np.zeros((p, p))
    for r in range(ng - 1):
        for s in range(r + 1, ng):
            U += W[r, s] * (Q[r, s] - P[r] @ phi @ P[s])
    U = U + U.T
    for r in range(ng):
        U += W[r, r] * (Q[r, r] - P[r] @ phi @ P[r])
    phiA = phi + 2 * phi @ U @ phi
    return phiA, P, W


def _div0(x, y, tol=1e-14):
    return 1.0 if abs(x) < tol and abs(y) < tol else x / y


def kr_ddf(phiA, P, W, l, phi):
    """pbkrtest's ``ddf_Lb`` for one contrast row ``l`` (V0 = Φ unadjusted)."""
    l = np.asarray(l, float)
    vlb = l @ phi @ l
    Theta = np.outer(l, l) / vlb
    TV = Theta @ phi
    A1 = A2 = 0.0
    ng = len(P)
    for i in range(ng):
        for j in range(i, ng):
            e = 1.0 if i == j else 2.0
            ui = TV @ P[i] @ phi
            uj = TV @ P[j] @ phi
            A1 += e * W[i, j] * np.trace(ui) * np.trace(uj)
            A2 += e * W[i, j] * np.sum(ui * uj.T)
    B = (A1 + 6 * A2) / 2
    g = (2 * A1 - 5 * A2) / (3 * A2)
    c1 = g / (3 + 2 * (1 - g))
    c2 = (1 - g) / (3 + 2 * (1 - g))
    c3 = (3 - g) / (3 + 2 * (1 - g))
    V0 = 1 + c1 * B
    V1 = 1 - c2 * B
    V2 = 1 - c3 * B
    V0 = 0.0 if abs(V0) < 1e-10 else V0
    rho = _div0(1 - A2, V1) ** 2 * V0 / V2
    return 4 + 3 / (rho - 1)
