"""Themes of comments: discovered, named, tracked over time, merged, split and renamed.

Method (also measured on CFPB narratives by bench/themes/run.py):

- Text: the redacted comment, placeholders ("[NAME]") and CFPB-style masks ("XXXX") removed,
  as TF-IDF over words and word pairs (English and Spanish stop words dropped, sublinear tf,
  terms in ≥ 2 comments and ≤ 50% of them, at most 5,000 terms), rows L2-normalised.
- Discovery: the rows are projected on 50 latent semantic axes (LSA: truncated SVD) and
  re-normalised, then clustered by k-means for every k from 2 to min(15, n/10); k is the one
  with the highest mean cosine silhouette on up to 2,000 comments (Rousseeuw 1987). On the
  CFPB narratives LSA doubles the agreement with the CFPB's labels over k-means on raw
  TF-IDF (bench/themes/run.py). A theme's centroid is the mean TF-IDF row of its comments,
  so new comments are placed without keeping the SVD. Clusters smaller than MIN_THEME_SIZE
  are left unassigned.
- Naming: a theme's name is its three most *distinctive* terms: centroid weight minus the
  mean weight of the term in the other centroids, a term left out when it is contained in one
  already chosen. Staff can rename; a staff name is never overwritten.
- Quotes: the comments closest to the centroid (cosine), redacted text only.
- New comments: placed in the nearest theme when its cosine similarity to the centroid is at
  least ASSIGN_MIN_SIMILARITY, else left unassigned; when MIN_NEW_BACKLOG unassigned comments
  pile up, discovery runs on them alone and adds new themes ("emerging": created recently).
  The vocabulary is refitted on every discovery and the existing centroids recomputed from
  their comments, so new words (a new form, a new outage) count.
- Over time: weekly comments per theme against all comments that week, share negative;
  a spike is a week above the u-chart upper limit (govcx/metrics/control.py) of the 12
  weeks before; a theme is emerging when created in the last 28 days or its latest week is a
  spike with at least 5 comments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from govcx.core.models import Agency
from govcx.feedback.models import Comment, Theme, ThemeModel
from govcx.metrics.control import u_chart

MIN_THEME_SIZE = 5
MIN_NEW_BACKLOG = 30
ASSIGN_MIN_SIMILARITY = 0.08
MAX_K = 15
LSA_DIMS = 50
MAX_FIT = 20000  # most recent comments used to fit the vocabulary
CENTROID_TERMS = 400  # terms kept per stored centroid
BASELINE_WEEKS = 12
EMERGING_DAYS = 28

ES_STOP = str.split("""
a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
durante e el ella ellas ellos en entre era eran es esa esas ese eso esos esta estaba
estado estan estar este esto estos fue fueron ha habia han hasta hay la las le les lo los
mas me mi mis mucho muy nada ni no nos o otra otro para pero poco por porque que quien se
ser si sin sobre son su sus tambien tengo tiene todo todos tu un una uno unos usted
ustedes y ya yo
""")


class ThemeError(ValueError):
    """A theme operation staff asked for that cannot be done (shown to them as is)."""


def clean_text(text: str) -> str:
    text = re.sub(r"\[[A-Z]+\]", " ", text)
    text = re.sub(r"\b[Xx]{2,}\b", " ", text)
    text = re.sub(r"\{\$[\d.,]+\}", " ", text)
    return text


def make_vectorizer(max_features: int = 5000) -> Any:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    return TfidfVectorizer(
        preprocessor=lambda t: clean_text(t).lower(), stop_words=sorted(
            set(ENGLISH_STOP_WORDS) | set(ES_STOP)), ngram_range=(1, 2), min_df=2, max_df=0.5,
        sublinear_tf=True, max_features=max_features,
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b")  # noqa: S106 (not a password)


def lsa(x: Any, *, dims: int = LSA_DIMS, seed: int = 0) -> np.ndarray:
    """Rows projected on the top `dims` latent semantic axes (truncated SVD of the TF-IDF
    matrix, Deerwester et al. 1990) and L2-normalised: synonyms and co-occurring words
    count together, which clusters short texts far better than raw TF-IDF."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    d = min(dims, x.shape[1] - 1, x.shape[0] - 1)
    if d < 2:
        return np.asarray(normalize(x).toarray())
    return np.asarray(normalize(TruncatedSVD(d, random_state=seed).fit_transform(x)))


def choose_k(x: Any, *, max_k: int = MAX_K, seed: int = 0) -> tuple[int, np.ndarray,
                                                                    dict[int, float]]:
    """(k, cluster of each row, silhouette per k): k-means in the LSA space of `x` for
    k = 2…min(max_k, n/10); k is the one with the best mean cosine silhouette."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    z = lsa(x, seed=seed)
    n = z.shape[0]
    upper = max(2, min(max_k, n // 10))
    rng = np.random.default_rng(seed)
    sample = rng.choice(n, size=min(n, 2000), replace=False)
    best: tuple[float, int, np.ndarray] | None = None
    scores: dict[int, float] = {}
    for k in range(2, upper + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=seed).fit_predict(z)
        if len(set(labels[sample].tolist())) < 2:
            continue
        s = float(silhouette_score(z[sample], labels[sample], metric="cosine"))
        scores[k] = s
        if best is None or s > best[0]:
            best = (s, k, labels)
    if best is None:
        return 2, KMeans(n_clusters=2, n_init=3, random_state=seed).fit_predict(z), scores
    return best[1], best[2], scores


def centroids_of(x: Any, labels: np.ndarray, k: int) -> np.ndarray:
    """The mean TF-IDF row of each cluster (its centroid in term space)."""
    return np.vstack([np.asarray(x[labels == c].mean(axis=0)).ravel() if (labels == c).any()
                      else np.zeros(x.shape[1]) for c in range(k)])


def distinctive_terms(centroids: np.ndarray, vocab: list[str], n: int = 3) -> list[list[str]]:
    out: list[list[str]] = []
    k = centroids.shape[0]
    total = centroids.sum(axis=0)
    for i in range(k):
        others = (total - centroids[i]) / max(k - 1, 1)
        score = centroids[i] - others
        chosen: list[str] = []
        for j in np.argsort(-score):
            if score[j] <= 0 or len(chosen) >= n:
                break
            term = vocab[j]
            if any(term in c or c in term for c in chosen):
                continue
            chosen.append(term)
        out.append(chosen)
    return out


def name_from_terms(terms: list[str]) -> str:
    return ", ".join(terms[:3]).capitalize() if terms else "Unnamed theme"


# --- the agency's term space -------------------------------------------------------------

@dataclass
class Space:
    vocab: list[str]
    idf: np.ndarray
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {t: i for i, t in enumerate(self.vocab)}

    def vectorizer(self) -> Any:
        v = make_vectorizer()
        v.vocabulary_ = self.index
        v.idf_ = self.idf
        return v

    def transform(self, texts: list[str]) -> Any:
        return self.vectorizer().transform(texts)


def _space(agency: Agency) -> Space | None:
    tm = ThemeModel.objects.filter(agency=agency).first()
    if tm is None or not tm.vocabulary:
        return None
    return Space(list(tm.vocabulary), np.asarray(tm.idf, dtype=float))


def _dense(centroid: list[list[float]], size: int) -> np.ndarray:
    vec = np.zeros(size)
    for j, w in centroid:
        if int(j) < size:
            vec[int(j)] = w
    return vec


def _sparse(vec: np.ndarray) -> list[list[float]]:
    top = np.argsort(-vec)[:CENTROID_TERMS]
    return [[int(j), round(float(vec[j]), 6)] for j in top if vec[j] > 0]


def _live_themes(agency: Agency) -> list[Theme]:
    return list(Theme.objects.filter(agency=agency, merged_into__isnull=True).order_by("id"))


def _centroid_matrix(themes: list[Theme], size: int) -> np.ndarray:
    if not themes:
        return np.zeros((0, size))
    m = np.vstack([_dense(t.centroid, size) for t in themes])
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return m / norms


def _refresh_theme(theme: Theme, space: Space, others: np.ndarray | None = None) -> None:
    """Recompute a theme's centroid (and name, unless staff named it) from its comments."""
    texts = list(theme.comments.values_list("text_redacted", flat=True)[:MAX_FIT])
    if not texts:
        theme.centroid = []
        theme.save(update_fields=["centroid", "updated_at"])
        return
    x = space.transform(texts)
    c = np.asarray(x.mean(axis=0)).ravel()
    theme.centroid = _sparse(c)
    stack = np.vstack([c[None, :], others]) if others is not None and others.shape[0] else c[None, :]
    theme.terms = distinctive_terms(stack, space.vocab, n=6)[0] if stack.shape[0] > 1 else [
        space.vocab[j] for j in np.argsort(-c)[:6] if c[j] > 0]
    if not theme.named_by_staff:
        theme.name = name_from_terms(theme.terms)
    theme.save(update_fields=["centroid", "terms", "name", "updated_at"])


def _refresh_all(agency: Agency, space: Space) -> None:
    themes = _live_themes(agency)
    for t in themes:
        texts = list(t.comments.values_list("text_redacted", flat=True)[:MAX_FIT])
        if texts:
            t.centroid = _sparse(np.asarray(space.transform(texts).mean(axis=0)).ravel())
    mat = np.vstack([_dense(t.centroid, len(space.vocab)) for t in themes]) if themes else None
    names = distinctive_terms(mat, space.vocab, n=6) if mat is not None and len(themes) > 1 \
        else None
    for i, t in enumerate(themes):
        if names is not None:
            t.terms = names[i]
        elif mat is not None:
            t.terms = [space.vocab[j] for j in np.argsort(-mat[i])[:6] if mat[i][j] > 0]
        if not t.named_by_staff:
            t.name = name_from_terms(t.terms)
        t.save(update_fields=["centroid", "terms", "name", "updated_at"])


# --- discovery and assignment ----------------------------------------------------------------

@transaction.atomic
def themes_discover(*, agency: Agency, seed: int = 0) -> list[Theme]:
    """Refit the agency's vocabulary and discover themes among its unassigned comments (all
    comments the first time). Returns the new themes."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    comments = Comment.objects.filter(agency=agency).order_by("-created_at", "-id")
    fit_texts = list(comments.values_list("text_redacted", flat=True)[:MAX_FIT])
    if len(fit_texts) < 2 * MIN_THEME_SIZE:
        return []
    vec = make_vectorizer()
    try:
        vec.fit(fit_texts)
    except ValueError:  # nothing left after stop words
        return []
    space = Space(list(vec.get_feature_names_out()), np.asarray(vec.idf_))
    tm, _ = ThemeModel.objects.get_or_create(agency=agency)
    tm.vocabulary, tm.idf = space.vocab, space.idf.round(6).tolist()
    tm.comments_fitted = comments.count()
    _refresh_all(agency, space)
    rows = list(comments.filter(theme__isnull=True).values_list("id", "text_redacted")[:MAX_FIT])
    new: list[Theme] = []
    if len(rows) >= 2 * MIN_THEME_SIZE:
        x = space.transform([t for _, t in rows])
        keep = np.asarray(x.sum(axis=1)).ravel() > 0
        ids = [rows[i][0] for i in range(len(rows)) if keep[i]]
        x = x[keep]
        if x.shape[0] >= 2 * MIN_THEME_SIZE:
            k, labels, _scores = choose_k(x, seed=seed)
            centroids = centroids_of(x, labels, k)
            existing = _live_themes(agency)
            all_c = np.vstack([centroids] + ([_centroid_matrix(existing, len(space.vocab))]
                                             if existing else []))
            names = distinctive_terms(all_c, space.vocab, n=6)
            sizes = Counter(labels.tolist())
            for c in range(k):
                if sizes[c] < MIN_THEME_SIZE:
                    continue
                theme = Theme.objects.create(
                    agency=agency, name=name_from_terms(names[c]), terms=names[c],
                    centroid=_sparse(centroids[c]))
                new.append(theme)
                members = [ids[i] for i, lab in enumerate(labels) if lab == c]
                _assign_rows(theme, members, x[labels == c], centroids[c])
    tm.k = len(_live_themes(agency))
    tm.save()
    return new


def _assign_rows(theme: Theme, ids: list[int], x: Any, centroid: np.ndarray) -> None:
    c = centroid / (np.linalg.norm(centroid) or 1)
    sims = np.asarray(x @ c).ravel()
    by_distance: dict[float, list[int]] = defaultdict(list)
    for cid, s in zip(ids, sims, strict=True):
        by_distance[round(1 - float(s), 4)].append(cid)
    for d, group in by_distance.items():
        Comment.objects.filter(id__in=group).update(theme=theme, theme_distance=d)


def themes_assign(*, agency: Agency, comments: list[Comment] | None = None) -> int:
    """Place comments without a theme (or the given ones) in the nearest existing theme.
    Returns how many were placed."""
    space = _space(agency)
    themes = _live_themes(agency)
    if space is None or not themes:
        return 0
    if comments is None:
        comments = list(Comment.objects.filter(agency=agency, theme__isnull=True)[:MAX_FIT])
    if not comments:
        return 0
    cm = _centroid_matrix(themes, len(space.vocab))
    x = space.transform([c.text_redacted for c in comments])
    sims = np.asarray(x @ cm.T)
    placed = 0
    for i, c in enumerate(comments):
        j = int(np.argmax(sims[i]))
        if sims[i][j] >= ASSIGN_MIN_SIMILARITY:
            c.theme_id, c.theme_distance = themes[j].pk, round(1 - float(sims[i][j]), 4)
            placed += 1
        else:
            c.theme_id, c.theme_distance = None, None
    Comment.objects.bulk_update(comments, ["theme", "theme_distance"], batch_size=500)
    return placed


def themes_update(*, agency: Agency) -> list[Theme]:
    """After new comments arrive: place them, and discover new themes when enough are left
    unplaced (or when the agency has no themes yet)."""
    themes_assign(agency=agency)
    backlog = Comment.objects.filter(agency=agency, theme__isnull=True).count()
    if backlog < MIN_NEW_BACKLOG and _live_themes(agency):
        return []
    # rediscover only when enough comments arrived since the last fit (else the same
    # unplaceable comments would be clustered again on every run)
    tm = ThemeModel.objects.filter(agency=agency).first()
    total = Comment.objects.filter(agency=agency).count()
    if tm is not None and tm.vocabulary and total - tm.comments_fitted < MIN_NEW_BACKLOG:
        return []
    return themes_discover(agency=agency)


# --- staff edits -------------------------------------------------------------------------------

def theme_rename(*, theme: Theme, name: str) -> Theme:
    name = " ".join(name.split())[:120]
    if not name:
        raise ThemeError("Enter a name for the theme.")
    theme.name, theme.named_by_staff = name, True
    theme.save(update_fields=["name", "named_by_staff", "updated_at"])
    return theme


@transaction.atomic
def theme_merge(*, theme: Theme, into: Theme) -> Theme:
    """Move every comment of `theme` into `into`; `theme` stays, pointing at `into`."""
    if theme.pk == into.pk:
        raise ThemeError("Choose another theme to merge into.")
    if theme.agency_id != into.agency_id or into.merged_into_id is not None:
        raise ThemeError("That theme cannot take others.")
    Comment.objects.filter(theme=theme).update(theme=into)
    Theme.objects.filter(merged_into=theme).update(merged_into=into)
    theme.merged_into = into
    theme.save(update_fields=["merged_into", "updated_at"])
    space = _space(theme.agency)
    if space is not None:
        _refresh_theme(into, space, _others(into, space))
    return into


def _others(theme: Theme, space: Space) -> np.ndarray:
    return _centroid_matrix([t for t in _live_themes(theme.agency) if t.pk != theme.pk],
                            len(space.vocab))


@transaction.atomic
def theme_split(*, theme: Theme, seed: int = 0) -> Theme:
    """Split a theme's comments in two (k-means, k=2); returns the new theme."""
    from sklearn.cluster import KMeans

    space = _space(theme.agency)
    rows = list(theme.comments.values_list("id", "text_redacted"))
    if space is None or len(rows) < 2 * MIN_THEME_SIZE // 2 or len(rows) < 4:
        raise ThemeError("This theme has too few comments to split.")
    x = space.transform([t for _, t in rows])
    km = KMeans(n_clusters=2, n_init=5, random_state=seed).fit(x)
    if len(set(km.labels_.tolist())) < 2:
        raise ThemeError("The comments of this theme are too alike to split.")
    # the larger part keeps the theme (and its staff name)
    big = Counter(km.labels_.tolist()).most_common(1)[0][0]
    new = Theme.objects.create(agency=theme.agency, name="…", centroid=_sparse(
        km.cluster_centers_[1 - big]))
    for part, target in ((big, theme), (1 - big, new)):
        ids = [rows[i][0] for i, lab in enumerate(km.labels_) if lab == part]
        _assign_rows(target, ids, x[km.labels_ == part], km.cluster_centers_[part])
    for t in (theme, new):
        _refresh_theme(t, space, _others(t, space))
    return new


# --- over time -------------------------------------------------------------------------------

@dataclass
class ThemeSeries:
    theme_id: int
    name: str
    negative_share: float  # of the theme's comments in the period
    # (week start Monday, comments in theme, all comments that week)
    weeks: list[tuple[dt.date, int, int]] = field(default_factory=list)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def theme_weekly_counts(*, agency_id: int, service_id: int | None, start: dt.date,
                        end: dt.date) -> dict[int, ThemeSeries]:
    """Comments per theme and ISO week (Monday) between start and end (inclusive), with the
    total comments of each week, for every live theme of the agency (merged themes count in
    the theme they were merged into, since their comments moved)."""
    first, last = monday(start), monday(end)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Comment.objects.filter(agency_id=agency_id, created_at__gte=lo, created_at__lt=hi)
    if service_id is not None:
        qs = qs.filter(service_id=service_id)
    daily = (qs.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day", "theme_id")
             .annotate(n=Count("id"), neg=Count("id", filter=Q(sentiment="negative")))
             .order_by())
    weeks: list[dt.date] = []
    w = first
    while w <= last:
        weeks.append(w)
        w += dt.timedelta(days=7)
    totals: Counter[dt.date] = Counter()
    per: dict[int, Counter[dt.date]] = defaultdict(Counter)
    neg: Counter[int] = Counter()
    for row in daily:
        wk = monday(row["day"])
        totals[wk] += row["n"]
        if row["theme_id"] is not None:
            per[row["theme_id"]][wk] += row["n"]
            neg[row["theme_id"]] += row["neg"]
    out: dict[int, ThemeSeries] = {}
    for t in Theme.objects.filter(agency_id=agency_id, merged_into__isnull=True).order_by("id"):
        counts = per.get(t.pk, Counter())
        n = sum(counts.values())
        out[t.pk] = ThemeSeries(t.pk, t.name, round(neg[t.pk] / n, 4) if n else 0.0,
                                [(wk, counts[wk], totals[wk]) for wk in weeks])
    return out


@dataclass
class ThemeSignal:
    theme_id: int
    name: str
    week: dt.date
    count: int
    total: int
    rate: float  # comments in the theme per comment that week
    center: float
    upper: float | None
    spike: bool
    emerging: bool
    negative_share: float


def theme_signals(*, agency_id: int, service_id: int | None = None,
                  week: dt.date | None = None) -> list[ThemeSignal]:
    """For the week starting `week` (default: the last full week), each theme's rate against
    its u-chart limits over the BASELINE_WEEKS before: spikes and emerging themes."""
    week = monday(week or (timezone.localdate() - dt.timedelta(days=7)))
    start = week - dt.timedelta(weeks=BASELINE_WEEKS)
    series = theme_weekly_counts(agency_id=agency_id, service_id=service_id, start=start,
                                 end=week + dt.timedelta(days=6))
    created = dict(Theme.objects.filter(pk__in=list(series)).values_list("pk", "created_at"))
    out: list[ThemeSignal] = []
    recent = timezone.now() - dt.timedelta(days=EMERGING_DAYS)
    for tid, s in series.items():
        base = [(c, n) for wk, c, n in s.weeks if wk < week and n > 0]
        cur = [(c, n) for wk, c, n in s.weeks if wk == week]
        count, total = cur[0] if cur else (0, 0)
        lim = u_chart([c for c, _ in base], [n for _, n in base], count, total) if total else None
        spike = bool(lim and lim.above)
        out.append(ThemeSignal(
            tid, s.name, week, count, total, count / total if total else 0.0,
            lim.center if lim else 0.0, lim.upper if lim else None, spike,
            created[tid] >= recent or (spike and count >= 5), s.negative_share))
    return out


def theme_quotes(theme: Theme, n: int = 5) -> list[Comment]:
    """The comments closest to the theme's centre (redacted)."""
    return list(theme.comments.filter(theme_distance__isnull=False)
                .order_by("theme_distance", "-created_at")[:n])
