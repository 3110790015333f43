"""The wrong options of a multiple-choice question: plausible, and never also right.

Plausible: candidates come from where learners confuse terms. Entries that link to each other
and share words in their names are look-alike pairs (L1/L2 regularization, compute instance and
compute cluster); then entries linked either way (precision and recall name each other), the
same category, shared tags. Each candidate is scored, jittered by a random seeded from the quiz,
so that quizzes vary yet replay exactly, and the best that pass every rule are taken.

Never also right: no alias or other name of the answer (names are compared word by word,
plurals folded), no two options with one name, no option that names the answer, and no name
that the prompt itself gives away. Names are matched the way links match them (app.names:
case, punctuation and spacing do not matter).

An entry with `cards: false` has no derived cards, so nothing could be scheduled from its
question: such entries are left out of quizzes altogether, as questions and as options.
"""

from __future__ import annotations

import html
import random
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlmodel import col, select

from app.content import store
from app.content.decks import DeckIndex
from app.content.pipeline.deck import MASK
from app.content.reader import ContentReader

DEFINITION, NAME = "definition", "name"  # the prompt is the definition / the name
OPTIONS = 4
JITTER = 3.0  # of the score: strong look-alikes usually win, but not always the same ones
_WORD = re.compile(r"[^\W_]+")  # a word as app.names counts one
STOP = frozenset("a an and as at by for from in into of on or the to vs versus via with".split())  # noqa: SIM905

Token = tuple[str, int, int]  # the word, case-folded; where it starts and ends in the text


def tokens(text: str) -> list[Token]:
    return [(m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


def same_word(a: str, b: str) -> bool:
    """One word, or its plural ("bias"/"biases", "query"/"queries")."""
    if a == b:
        return True
    if len(a) < len(b):
        a, b = b, a
    return len(b) >= 2 and (a in (b + "s", b + "es") or (b.endswith("y") and a == b[:-1] + "ies"))


def forms(word: str) -> set[str]:
    """The word and what it would be without a plural ending: two words are the same word
    (same_word) only if their forms meet, so sets of forms rule out most pairs at once."""
    out = {word}
    if word.endswith("s"):
        out.add(word[:-1])
        if word.endswith("es"):
            out.add(word[:-2])
            if word.endswith("ies"):
                out.add(word[:-3] + "y")
    return out


def forms_of(words: Iterable[str]) -> frozenset[str]:
    return frozenset(f for w in words for f in forms(w))


def spans(text: Sequence[Token], name: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Where the words of a name occur in a text, one after another."""
    k = len(name)
    for i in range(len(text) - k + 1):
        if all(same_word(text[i + j][0], name[j]) for j in range(k)):
            yield text[i][1], text[i + k - 1][2]


def mentions(text: tuple[Token, ...], text_forms: frozenset[str], names: tuple[tuple[str, ...], ...]) -> bool:
    return any(all(forms(w) & text_forms for w in name) and next(spans(text, name), None) is not None for name in names)


def mask(text: str, names: tuple[tuple[str, ...], ...]) -> str:
    """text with every mention of the names hidden, as the meaning → name card hides them."""
    words = tokens(text)
    text_forms = forms_of(t[0] for t in words)
    found = sorted({span for name in names if all(forms(w) & text_forms for w in name) for span in spans(words, name)})
    hidden: list[list[int]] = []
    for start, end in found:  # overlapping mentions ("k-means" in "k-means clustering") are hidden as one
        if hidden and start < hidden[-1][1]:
            hidden[-1][1] = max(hidden[-1][1], end)
        else:
            hidden.append([start, end])
    out, last = [], 0
    for start, end in hidden:
        out += [text[last:start], MASK]
        last = end
    out.append(text[last:])
    return "".join(out)


@dataclass(frozen=True)
class Term:
    slug: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    category: str
    tags: frozenset[str]
    names: tuple[tuple[str, ...], ...]  # the words of the title, each alias and the slug
    name_forms: frozenset[str]
    word_forms: frozenset[str]  # of the names' words that say something ("regularization", not "of")
    title_tokens: tuple[Token, ...]
    title_forms: frozenset[str]
    summary_tokens: tuple[Token, ...]
    summary_forms: frozenset[str]

    @cached_property
    def masked_summary(self) -> str:
        return mask(self.summary, self.names)

    @cached_property
    def summary_words(self) -> tuple[str, ...]:
        return tuple(t[0] for t in self.summary_tokens)


def make_term(slug: str, title: str, aliases: list[str], summary: str, category: str, tags: set[str]) -> Term:
    names = tuple(dict.fromkeys(w for n in (title, *aliases, slug) if (w := tuple(t[0] for t in tokens(n)))))
    words = [w for name in names for w in name if w not in STOP and len(w) > 1]
    summary = " ".join(summary.split())
    title_tokens, summary_tokens = tuple(tokens(title)), tuple(tokens(summary))
    return Term(
        slug,
        title,
        tuple(aliases),
        summary,
        category,
        frozenset(tags),
        names,
        forms_of(w for name in names for w in name),
        forms_of(words),
        title_tokens,
        forms_of(t[0] for t in title_tokens),
        summary_tokens,
        forms_of(t[0] for t in summary_tokens),
    )


def same_name(a: Term, b: Term) -> bool:
    """One of a's names is one of b's: an alias, a synonym, the same term twice."""
    if not a.name_forms & b.name_forms:
        return False
    return any(len(x) == len(y) and all(same_word(p, q) for p, q in zip(x, y)) for x in a.names for y in b.names)


@dataclass
class Pool:
    """The entries a quiz can ask about or offer, and how they relate; one per content build."""

    terms: dict[str, Term]
    links: dict[str, set[str]] = field(default_factory=dict)  # outgoing, among terms
    linked: dict[str, set[str]] = field(default_factory=dict)  # either way
    by_category: dict[str, list[str]] = field(default_factory=dict)
    by_tag: dict[str, list[str]] = field(default_factory=dict)
    _scored: dict[str, list[tuple[str, float]]] = field(default_factory=dict, repr=False)
    _fits: dict[tuple[str, str, str], bool] = field(default_factory=dict, repr=False)

    def candidates(self, answer: Term) -> set[str]:
        found = set(self.linked.get(answer.slug, ())) | set(self.by_category.get(answer.category, ()))
        for tag in answer.tags:
            found.update(self.by_tag.get(tag, ()))
        found.discard(answer.slug)
        return found

    # A quiz has to be made in milliseconds: scores and verdicts are kept for the build.
    def scored(self, answer: Term) -> list[tuple[str, float]]:
        found = self._scored.get(answer.slug)
        if found is None:
            found = [(slug, self.score(answer, self.terms[slug])) for slug in sorted(self.candidates(answer))]
            self._scored[answer.slug] = found
        return found

    def fits(self, answer: Term, other: Term, direction: str) -> bool:
        key = (answer.slug, other.slug, direction)
        verdict = self._fits.get(key)
        if verdict is None:
            verdict = self._fits[key] = fits(answer, other, direction)
        return verdict

    def score(self, answer: Term, other: Term) -> float:
        a, b = answer.slug, other.slug
        mutual = b in self.links.get(a, ()) and a in self.links.get(b, ())
        linked = b in self.linked.get(a, ())
        shared = bool(answer.word_forms & other.word_forms)
        points = 4.0 if mutual else 2.0 if linked else 0.0
        points += (3.0 if linked else 1.0) if shared else 0.0  # linked and alike: the pairs learners mix up
        points += 2.0 if answer.category == other.category else 0.0
        return points + min(len(answer.tags & other.tags), 2)


def load_pool(reader: ContentReader, deck: DeckIndex) -> Pool:
    with store.session_scope(reader.engine) as s:
        entries = s.execute(select(store.Entry.slug, store.Entry.title, store.Entry.aliases, store.Entry.summary)).all()
        link_rows = s.execute(
            select(store.Link.source, store.Link.target).where(col(store.Link.target).is_not(None)).distinct()
        ).all()
    terms = {
        slug: make_term(
            slug, title, list(aliases or []), summary, deck.categories.get(slug, ""), deck.tags.get(slug, set())
        )
        for slug, title, aliases, summary in entries
        if summary.strip() and f"{slug}:name" in deck.by_id and f"{slug}:meaning" in deck.by_id
    }
    pool = Pool(terms)
    links: dict[str, set[str]] = defaultdict(set)
    linked: dict[str, set[str]] = defaultdict(set)
    for source, target in link_rows:
        if source != target and source in terms and target in terms:
            links[source].add(target)
            linked[source].add(target)
            linked[target].add(source)
    pool.links, pool.linked = dict(links), dict(linked)
    by_category: dict[str, list[str]] = defaultdict(list)
    by_tag: dict[str, list[str]] = defaultdict(list)
    for term in sorted(terms.values(), key=lambda t: t.slug):
        by_category[term.category].append(term.slug)
        for tag in term.tags:
            by_tag[tag].append(term.slug)
    pool.by_category, pool.by_tag = dict(by_category), dict(by_tag)
    return pool


def fits(answer: Term, other: Term, direction: str) -> bool:
    """Whether other may be offered beside answer."""
    if other.slug == answer.slug or same_name(answer, other):
        return False
    if mentions(other.title_tokens, other.title_forms, answer.names):  # "Precision-recall curve" beside "Precision"
        return False
    if direction == DEFINITION and mentions(answer.summary_tokens, answer.summary_forms, other.names):
        return False  # the prompt names it, so it cannot be the answer
    if direction == NAME and mentions(other.summary_tokens, other.summary_forms, answer.names):
        return False  # its definition names the answer: a giveaway
    return other.summary_words != answer.summary_words  # the same definition would be right as well


def fits_beside(other: Term, chosen: list[Term], direction: str) -> bool:
    """Whether other differs from the options already chosen: no two options are one thing."""
    if direction == NAME and any(other.summary_words == c.summary_words for c in chosen):
        return False
    return not any(same_name(other, c) for c in chosen)


def distractors(pool: Pool, answer: Term, direction: str, rng: random.Random) -> list[Term] | None:
    """Three wrong options for the answer, or None when the glossary has too few that fit."""
    ranked = sorted(pool.scored(answer), key=lambda pair: -(pair[1] + rng.random() * JITTER))
    chosen: list[Term] = []
    for slug, _ in ranked:
        other = pool.terms[slug]
        if pool.fits(answer, other, direction) and fits_beside(other, chosen, direction):
            chosen.append(other)
            if len(chosen) == OPTIONS - 1:
                return chosen
    # A term with few relatives: any other entry will do, in a seeded order.
    rest = sorted(pool.terms.keys() - pool.candidates(answer) - {answer.slug})
    rng.shuffle(rest)
    for slug in rest:
        other = pool.terms[slug]
        if pool.fits(answer, other, direction) and fits_beside(other, chosen, direction):
            chosen.append(other)
            if len(chosen) == OPTIONS - 1:
                return chosen
    return None


def question_options(pool: Pool, answer: Term, direction: str, seed: str) -> list[str] | None:
    """The slugs of a question's four options in the order shown, seeded: the same seed, the
    same question."""
    rng = random.Random(f"{seed}:{answer.slug}:{direction}")
    wrong = distractors(pool, answer, direction, rng)
    if wrong is None:
        return None
    options = [answer.slug, *(t.slug for t in wrong)]
    rng.shuffle(options)
    return options


def prompt_html(term: Term, direction: str) -> str:
    if direction == DEFINITION:
        return html.escape(term.masked_summary)
    also = f" (also: {html.escape(', '.join(term.aliases))})" if term.aliases else ""
    return f"<strong>{html.escape(term.title)}</strong>{also}"


def option_html(term: Term, direction: str) -> str:
    # Every definition hides its own names, so the right one does not stand out by its mask alone.
    return html.escape(term.title if direction == DEFINITION else term.masked_summary)
