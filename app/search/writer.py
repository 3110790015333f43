"""Writing documents into a Whoosh index: one writer at a time, in parallel processes for a
large full build."""

from __future__ import annotations

import multiprocessing
import os
import threading

from app.search import documents

PARALLEL_FROM = 2000  # documents; below this, starting processes costs more than it saves


def write(ix, docs: list, deleted: list, fresh: bool, links: documents.Links, merge: bool = True) -> None:
    """Add (fresh: into an empty index) or replace docs, delete the slugs in deleted, and
    rewrite the entries whose context sentences the change touched; one commit. merge: let
    the commit merge small segments (Whoosh's MERGE_SMALL: half a second at 50,000 entries
    every few edits), or leave them for a quiet moment (SearchIndex.tidy)."""
    procs = processes(len(docs)) if fresh else 1
    if procs > 1:
        # Analysing text is most of a build: split it over processes, and keep their
        # segments as they are instead of merging them (half the time again).
        writer = ix.writer(timeout=30.0, procs=procs, multisegment=True)
    else:
        writer = ix.writer(timeout=30.0)
    add = writer.add_document if fresh else writer.update_document
    try:
        for slug in deleted:
            writer.delete_by_term("slug", slug)
        for doc in docs:
            add(**documents.fields(doc, links))
        for stored in links.others:  # entries whose context sentences changed
            writer.update_document(**documents.fields(documents.from_stored(stored), links))
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=merge)


def processes(documents: int) -> int:
    # Whoosh forks its writer processes; forking is only safe from the main thread (a
    # watcher thread's rebuild could fork while another thread holds a lock), and a
    # daemonic process may not have children at all.
    if (
        documents < PARALLEL_FROM
        or threading.current_thread() is not threading.main_thread()
        or multiprocessing.current_process().daemon
    ):
        return 1
    return min(_cores(), 4)


def _cores() -> int:
    # The cores this process may run on (a container's share), not all the machine has.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
