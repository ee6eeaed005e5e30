"""The page model of an entity: what entities.page puts together and templates/entity.html shows (a summary, facts
in sections and groups, their notes and "why?", events with the entity's roles, incoming links)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from service.features.entities.references import Note, Reference
from service.features.entities.statement import Claim
from service.features.nodes import Node
from service.features.time.timeline import Event


@dataclass
class Premise:
    subject: Node
    predicate: Node
    object: Node
    inferred: bool
    notes: list[Note] = field(default_factory=list)


@dataclass
class Why:
    rule: str
    description: str
    premises: list[Premise]


@dataclass
class Fact:
    object: Node
    inferred: bool
    notes: list[Note] = field(default_factory=list)
    why: Why | None = None
    anchor: str = ""
    also: list[Node] = field(default_factory=list)  # the project's super-properties this fact also says
    predicate: Node | None = None
    triple: ox.Triple | None = None


@dataclass
class Group:
    predicate: Node
    facts: list[Fact]
    total: int = 0

    @property
    def inferred_count(self) -> int:
        return sum(1 for f in self.facts if f.inferred)


@dataclass
class Section:
    """A display group of the ontology (hk:displayGroup): its properties in display order."""
    name: str
    groups: list[Group]


@dataclass
class Role:
    """What the entity is to an event: the property linking them (either way), as a fact with its notes."""
    predicate: Node
    fact: Fact
    incoming: bool


@dataclass
class EventRow:
    event: Event
    anchor: str
    roles: list[Role] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Entity:
    iri: str
    label: str
    node: Node
    types: list[Fact]           # asserted classes
    inferred_types: list[Fact]  # what the reasoner adds (alignment classes among them): folded away
    description: str | None
    alt_labels: list[str]
    sections: list[Section]
    aligned: list[Node]         # standard-vocabulary properties whose facts the project's properties already show
    claims: list[Claim]
    incoming: list[Group]
    notes: list[Note]
    references: list[Reference]
    events: list[EventRow] = field(default_factory=list)
    summary: list[Group] = field(default_factory=list)
    when: list[str] = field(default_factory=list)
    where: list[Node] = field(default_factory=list)
    incoming_page: int = 1
    incoming_pages: int = 1

    @property
    def facts(self) -> list[Group]:
        return [g for s in self.sections for g in s.groups]
