"""Splitting an input stream into events: JSON lines, JSON arrays, and any mix of the two.

Every byte is accounted for. A line is one event; an array gives one event per element; text
that is neither (a stray bracket, garbage between arrays) becomes a ``Piece`` that is stored as
rejected with its text and byte position. Arrays are read chunk by chunk, so memory stays flat
however long the input; a byte order mark before any line or array is dropped.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from typing import BinaryIO, Generator, Iterator, NamedTuple, Optional, Union

from eventdesk.core.canonical import sha256_hex
from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.intake import MAX_EVENT_BYTES
from eventdesk.core.model import Envelope
from eventdesk.core.reasons import INPUT_NOT_AN_EVENT, JSON_INVALID, Problem, code_of

DEFAULT_CHUNK_SIZE = 1 << 16
LINE_LIMIT = 1 << 16  # lines are read in parts of this size, so a one-line array is read in chunks
BOM = b"\xef\xbb\xbf"
_BLANK = b" \t\r\n"
_IN_VALUE = re.compile(rb'["\[\]{}]')
_AT_TOP = re.compile(rb'["\[\]{},]')
# a string ends at its quote; JSON forbids a raw newline in one, so a newline ends a broken one
_STRING_BODY = re.compile(rb'(?:[^"\\\n]|\\[^\n])*')
# in auto mode '[' starts an array of events only when an object, ']' or the line's end follows;
# otherwise the line is one JSON line that is not an object (rejected as such)
_EVENTS_ARRAY = re.compile(rb'\[[ \t]*(?:[{\]]|\r?\n|$)')
_QUOTE, _COMMA, _OPEN_SQUARE, _CLOSE_SQUARE = b'"'[0], b","[0], b"["[0], b"]"[0]
_OPENER_OF = {b"]"[0]: _OPEN_SQUARE, b"}"[0]: b"{"[0]}


class Piece(NamedTuple):
    """An input with its byte position; ``problem`` is set when it is not an event at all."""

    text: bytes
    offset: int
    problem: Optional[str] = None


Item = Union[bytes, Piece]


def envelope_of(piece: Piece) -> Envelope:
    """The envelope of a piece; a rejection names where in the input the piece was."""
    if piece.problem is not None:
        return Envelope(text=_as_text(piece.text), content_hash=sha256_hex(piece.text),
                        rejection=Problem(INPUT_NOT_AN_EVENT, f"{piece.problem} at byte {piece.offset}"))
    envelope = read_envelope_fast(piece.text)
    if envelope.rejection is None:
        return envelope
    code = code_of(envelope.rejection, JSON_INVALID)  # the code survives the byte position added
    return dataclasses.replace(envelope, rejection=Problem(code, f"{envelope.rejection} (at byte {piece.offset})"))


def _as_text(data: bytes) -> Union[str, bytes]:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


class _Input:
    """The stream with bytes put back in front of it: lines and chunks come from one place."""

    def __init__(self, stream: BinaryIO, chunk_size: int) -> None:
        self.stream, self.chunk_size, self.pending = stream, chunk_size, b""

    def unread(self, data: bytes) -> None:
        self.pending = data + self.pending

    def read(self) -> bytes:
        data, self.pending = self.pending, b""
        return data or self.stream.read(self.chunk_size)

    def lines(self) -> Iterator[bytes]:
        """Lines, a longer one in parts: one huge line (a minified array) never fills memory."""
        rest = iter(functools.partial(self.stream.readline, LINE_LIMIT), b"")  # no Python frame per line
        return itertools.chain(self._pending_lines(), rest) if self.pending else rest

    def _pending_lines(self) -> Iterator[bytes]:
        while self.pending:
            cut = self.pending.find(b"\n") + 1
            if cut == 0:  # cut short at LINE_LIMIT, as a line read from the stream would be
                more = self.stream.readline(LINE_LIMIT - len(self.pending)) if len(self.pending) < LINE_LIMIT else b""
                line, self.pending = self.pending + more, b""
            else:
                line, self.pending = self.pending[:cut], self.pending[cut:]
            yield line

    def whole(self, line: bytes) -> bytes:
        """The line with the rest of it, if it was cut short at LINE_LIMIT."""
        return line + self.stream.readline() if len(line) >= LINE_LIMIT and line[-1] != 10 else line


def read_events(stream: BinaryIO, fmt: str = "auto", chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[bytes]:
    """Each input's bytes as received, without positions (for callers that take bytes only)."""
    for item in read_inputs(stream, fmt, chunk_size):
        yield item.text if isinstance(item, Piece) else item


def read_inputs(stream: BinaryIO, fmt: str = "auto", chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Item]:
    """Yield each input: the bytes of a line that starts an object, else a ``Piece``.

    ``jsonl``: every non-blank line is an event. ``array``: arrays only; other text is rejected.
    ``auto``: JSON lines and arrays of events, in any order and number.
    """
    if fmt == "jsonl":
        yield from _json_lines(stream)
        return
    source, strict, offset = _Input(stream, chunk_size), fmt == "array", 0
    while True:
        for line in source.lines():
            if line[:1] == b"{" and not strict:  # the common event: fast
                if len(line) >= LINE_LIMIT:
                    line = source.whole(line)  # one event however long (rejected as too large)
                yield line.rstrip(b"\r\n")
                offset += len(line)
                continue
            start = _array_start(line, strict, False)
            if start is None:
                line = source.whole(line)
                yield from _not_array(line, offset, strict, False)
                offset += len(line)
                continue
            yield from _not_array(line[:start], offset, strict, False)  # a BOM, blanks
            source.unread(line[start:])
            offset += start
            break
        else:
            return
        offset = yield from _array(source, offset)
        offset = yield from _after_array(source, offset, strict)


def _after_array(source: _Input, offset: int, strict: bool) -> Generator[Item, None, int]:
    """The rest of the line an array ended on: blank, an event, garbage, or another array."""
    line = next(source.lines(), b"")
    start = _array_start(line, strict, True)
    if start is None:
        line = source.whole(line)
        yield from _not_array(line, offset, strict, True)
        return offset + len(line)
    yield from _not_array(line[:start], offset, strict, True)
    source.unread(line[start:])  # the next array, read by the caller
    return offset + start


def _json_lines(stream: BinaryIO) -> Iterator[Item]:
    offset = 0
    source = _Input(stream, DEFAULT_CHUNK_SIZE)
    for line in source.lines():
        if len(line) >= LINE_LIMIT:
            line = source.whole(line)  # in JSON lines a line is one event, however long
        if line[:1] == b"{":
            yield line.rstrip(b"\r\n")
        else:
            yield from _not_array(line, offset, False, False)
        offset += len(line)


def _array_start(line: bytes, strict: bool, after_array: bool) -> Optional[int]:
    """Where an array starts on this line, or None; after an array anything may come first."""
    lead = _lead(line)
    if line[lead:lead + 1] != b"[":
        if not after_array or line[lead:lead + 1] == b"{":
            return None
        match = _EVENTS_ARRAY.search(line, lead)
        return None if match is None else match.start()
    if strict or _EVENTS_ARRAY.match(line, lead):
        return lead
    return None


def _lead(line: bytes) -> int:
    """Length of the blanks (and a byte order mark) before a line's content."""
    lead = len(line) - len(line.lstrip(_BLANK))
    if line.startswith(BOM, lead):
        lead += len(BOM)
        lead += len(line) - lead - len(line[lead:].lstrip(_BLANK))
    return lead


def _not_array(line: bytes, offset: int, strict: bool, after_array: bool) -> Iterator[Item]:
    """A line (or the rest of one after an array) that holds no array: one input, or nothing."""
    lead = _lead(line)
    body = line[lead:].rstrip(b"\r\n")
    if not body.strip():
        return  # blank lines are skipped (design section 8)
    if strict:
        yield Piece(body.rstrip(_BLANK), offset + lead, "text outside a JSON array")
    elif after_array and body[:1] != b"{":
        yield Piece(body.rstrip(_BLANK), offset + lead, "text after a JSON array")
    elif lead or body[:1] != b"{":  # kept as received, leading blanks and all, but no BOM
        cut = lead if BOM in line[:lead] else 0
        yield Piece(line[cut:].rstrip(b"\r\n"), offset + cut)
    else:
        yield body


def _array(source: _Input, offset: int) -> Generator[Item, None, int]:
    """The elements of the array at the front of ``source``; returns the offset after it.

    Brackets are matched on a stack: a closer pops down to its opener; a ']' with no '[' open
    ends the array (the element before it is cut short); a '}' with no '{' open is stray text
    of its element. Either way the element will not parse and is rejected with its text.
    """
    buffer = bytearray(source.read())
    base, index, start, stack = offset, 1, 1, bytearray()
    while True:
        match = (_IN_VALUE if stack else _AT_TOP).search(buffer, index)
        resume = len(buffer)
        if match is not None:
            char = buffer[match.start()]
            if char == _QUOTE:
                end = _string_end(buffer, match.end())
                if end < len(buffer) - 1 or (end == len(buffer) - 1 and buffer[end] != 92):  # 92: '\'
                    index = end + 1
                    continue
                resume = match.start()  # the string goes on in the next chunk
            elif char == _COMMA:
                yield from _element(buffer, start, match.start(), base)
                index = start = match.end()
                continue
            elif char in _OPENER_OF:
                index = match.end()
                opener = stack.rfind(_OPENER_OF[char])
                if opener >= 0:
                    del stack[opener:]
                elif char == _CLOSE_SQUARE:
                    yield from _element(buffer, start, match.start(), base)
                    source.unread(bytes(buffer[index:]))
                    return base + index
                continue
            else:
                stack.append(char)
                index = match.end()
                continue
        more = source.read()
        if not more:
            yield from _element(buffer, start, len(buffer), base)
            return base + len(buffer)
        if resume - start > MAX_EVENT_BYTES:  # an element that never closes: store it in parts
            yield Piece(bytes(buffer[start:resume]), base + start,
                        f"part of an array element larger than {MAX_EVENT_BYTES >> 20} MiB")
            start = resume
        del buffer[:start]
        base, index, start = base + start, resume - start, 0
        buffer += more


def _string_end(buffer: bytearray, start: int) -> int:
    body = _STRING_BODY.match(buffer, start)
    return body.end() if body is not None else start  # the pattern matches the empty string too


def _element(buffer: bytearray, start: int, end: int, base: int) -> Iterator[Piece]:
    raw = bytes(buffer[start:end])
    text = raw.strip(_BLANK)
    if text:  # nothing between two commas is no input, as a blank line is none
        yield Piece(text, base + start + len(raw) - len(raw.lstrip(_BLANK)))
