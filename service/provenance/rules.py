"""The OWL 2 RL rules (OWL 2 Profiles, section 4.3, tables 4-9) as explanations read them: for each rule that
derives triples the closure keeps, a SPARQL pattern over the conclusion's terms ($s $p $o) and its premises as
triple templates over those terms and the pattern's variables.

A premise is always a triple of the graph (an RDF list is named by its head, as in `?c owl:intersectionOf ?l`), so
an explanation can be followed down premise by premise. Rules over a list of any length (property chains, keys,
intersections) are written once per length the graph uses (`sized`), so each premise is one triple of the data.
The "false" rules conclude no triple, and eq-ref, cls-thing, cls-nothing1, scm-op, scm-dp and the dt-* rules only
conclude triples the closure drops as junk (reasoning.reasoner.is_junk): none is written here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from service.rdf.namespaces import OWL, RDF, RDFS, XSD


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    concludes: str           # "type": rdf:type triples; "other": any other predicate; "*": any; else keys of IRIS
    where: str               # SPARQL pattern; $s $p $o are the conclusion's terms
    premises: tuple[str, ...]  # triple templates over $s $p $o and the pattern's variables


def _rule(rule_id: str, description: str, where: str, *premises: str, concludes: str = "other") -> Rule:
    return Rule(rule_id, description, concludes, where, premises)


IRIS = {"sco": RDFS + "subClassOf", "spo": RDFS + "subPropertyOf", "dom": RDFS + "domain",
        "rng": RDFS + "range", "inv": OWL + "inverseOf", "symp": OWL + "SymmetricProperty",
        "trp": OWL + "TransitiveProperty", "chain": OWL + "propertyChainAxiom", "first": RDF + "first",
        "rest": RDF + "rest", "nil": RDF + "nil", "eqc": OWL + "equivalentClass", "eqp": OWL + "equivalentProperty",
        "same": OWL + "sameAs", "fp": OWL + "FunctionalProperty", "ifp": OWL + "InverseFunctionalProperty",
        "maxc": OWL + "maxCardinality", "maxqc": OWL + "maxQualifiedCardinality", "onc": OWL + "onClass",
        "onp": OWL + "onProperty", "hv": OWL + "hasValue", "svf": OWL + "someValuesFrom",
        "avf": OWL + "allValuesFrom", "thing": OWL + "Thing", "int": OWL + "intersectionOf",
        "uni": OWL + "unionOf", "oneof": OWL + "oneOf", "key": OWL + "hasKey", "class": OWL + "Class",
        "op": OWL + "ObjectProperty", "dp": OWL + "DatatypeProperty",
        "integer": XSD + "integer"}
_ONE = "FILTER(<{integer}>(STR(?n)) = 1)"  # a cardinality of one, however written ("1", "01", "+1")
_MEMBER = "?l <{rest}>*/<{first}>"         # a member of the list ?l


def _unbased(pattern: str) -> str:
    """?unbased: whether the equal term chosen has no asserted statement of the pattern. Candidates are kept a few
    per rule, in the order of their variables (?unbased first: "false" before "true"), so an equality class's
    rewrites lead back to an asserted statement, not round the class among rewritten ones."""
    return (f"BIND(NOT EXISTS {{{{ GRAPH ?g {{{{ {pattern} }}}} FILTER(?g != <{{inferred}}>) }}}} AS ?unbased)")

_TYPES = (
    _rule("cax-sco", "an instance of a class is an instance of its superclasses",
          "?c <{sco}> $o . $s a ?c . FILTER(?c != $o)", "$s a ?c", "?c <{sco}> $o", concludes="type"),
    _rule("cax-eqc1", "an instance of a class is an instance of its equivalent classes",
          "?c <{eqc}> $o . $s a ?c . FILTER(?c != $o)", "$s a ?c", "?c <{eqc}> $o", concludes="type"),
    _rule("cax-eqc2", "an instance of a class is an instance of its equivalent classes",
          "$o <{eqc}> ?c . $s a ?c . FILTER(?c != $o)", "$s a ?c", "$o <{eqc}> ?c", concludes="type"),
    _rule("prp-dom", "the subject of a property is an instance of the property's domain",
          "?q <{dom}> $o . $s ?q ?x", "$s ?q ?x", "?q <{dom}> $o", concludes="type"),
    _rule("prp-rng", "the object of a property is an instance of the property's range",
          "?q <{rng}> $o . ?x ?q $s", "?x ?q $s", "?q <{rng}> $o", concludes="type"),
    _rule("cls-int2", "a member of an intersection is a member of each of its classes",
          f"?i <{{int}}> ?l . {_MEMBER} $o . $s a ?i . FILTER(?i != $o)", "$s a ?i", "?i <{int}> ?l",
          concludes="type"),
    _rule("cls-uni", "a member of one class of a union is a member of the union",
          f"$o <{{uni}}> ?l . {_MEMBER} ?c . $s a ?c . FILTER(?c != $o)", "$s a ?c", "$o <{uni}> ?l",
          concludes="type"),
    _rule("cls-hv2", "whatever has the value is a member of the hasValue restriction",
          "$o <{hv}> ?v ; <{onp}> ?q . $s ?q ?v", "$s ?q ?v", "$o <{hv}> ?v", "$o <{onp}> ?q", concludes="type"),
    _rule("cls-svf1", "a value of the restriction's class makes a member of the someValuesFrom restriction",
          "$o <{svf}> ?y ; <{onp}> ?q . $s ?q ?v . ?v a ?y", "$s ?q ?v", "?v a ?y", "$o <{svf}> ?y",
          "$o <{onp}> ?q", concludes="type"),
    _rule("cls-svf2", "any value makes a member of a someValuesFrom owl:Thing restriction",
          "$o <{svf}> <{thing}> ; <{onp}> ?q . $s ?q ?v", "$s ?q ?v", "$o <{svf}> <{thing}>", "$o <{onp}> ?q",
          concludes="type"),
    _rule("cls-avf", "the values of a member of an allValuesFrom restriction are in its class",
          "?r <{avf}> $o ; <{onp}> ?q . ?u a ?r ; ?q $s", "?u a ?r", "?u ?q $s", "?r <{avf}> $o", "?r <{onp}> ?q",
          concludes="type"),
    _rule("cls-oo", "a listed individual is a member of the enumerated class",
          f"$o <{{oneof}}> ?l . {_MEMBER} $s", "$o <{oneof}> ?l", concludes="type"),
)
_PROPERTIES = (
    _rule("prp-spo1", "a statement with a sub-property holds for the super-property too",
          "?q <{spo}> $p . $s ?q $o . FILTER(?q != $p)", "$s ?q $o", "?q <{spo}> $p", concludes="*"),
    _rule("prp-eqp1", "equivalent properties share their statements",
          "?q <{eqp}> $p . $s ?q $o . FILTER(?q != $p)", "$s ?q $o", "?q <{eqp}> $p", concludes="*"),
    _rule("prp-eqp2", "equivalent properties share their statements",
          "$p <{eqp}> ?q . $s ?q $o . FILTER(?q != $p)", "$s ?q $o", "$p <{eqp}> ?q", concludes="*"),
    _rule("prp-inv1", "a statement implies its inverse", "$p <{inv}> ?q . $o ?q $s", "$o ?q $s", "$p <{inv}> ?q"),
    _rule("prp-inv2", "a statement implies its inverse", "?q <{inv}> $p . $o ?q $s", "$o ?q $s", "?q <{inv}> $p"),
    _rule("prp-symp", "a symmetric property holds both ways",
          "$p a <{symp}> . $o $p $s", "$o $p $s", "$p a <{symp}>"),
    _rule("prp-trp", "a transitive property chains through an intermediate",
          "$p a <{trp}> . $s $p ?x . ?x $p $o . FILTER(?x != $s && ?x != $o)",
          "$s $p ?x", "?x $p $o", "$p a <{trp}>"),
    _rule("cls-hv1", "a member of a hasValue restriction has that value",
          "?r <{hv}> $o ; <{onp}> $p . $s a ?r", "$s a ?r", "?r <{hv}> $o", "?r <{onp}> $p"),
)
# Equality: the fast materialiser's union-find writes every pair of a class and every rewritten triple.
_EQUALITY = (
    _rule("eq-sym", "sameAs is symmetric", "$o <{same}> $s", "$o <{same}> $s", concludes="same"),
    _rule("eq-trans", "sameAs is transitive", "$s <{same}> ?x . ?x <{same}> $o . FILTER(?x != $s && ?x != $o)",
          "$s <{same}> ?x", "?x <{same}> $o", concludes="same"),
    _rule("prp-fp", "a functional property has one value: two values are the same",
          "?q a <{fp}> . ?x ?q $s . ?x ?q $o", "?x ?q $s", "?x ?q $o", "?q a <{fp}>", concludes="same"),
    _rule("prp-ifp", "an inverse-functional property's value has one subject: two subjects are the same",
          "?q a <{ifp}> . $s ?q ?y . $o ?q ?y", "$s ?q ?y", "$o ?q ?y", "?q a <{ifp}>", concludes="same"),
    _rule("cls-maxc2", "at most one value: two values are the same",
          f"?r <{{maxc}}> ?n ; <{{onp}}> ?q . ?u a ?r ; ?q $s , $o . {_ONE}", "?u a ?r", "?u ?q $s", "?u ?q $o",
          "?r <{maxc}> ?n", "?r <{onp}> ?q", concludes="same"),
    _rule("cls-maxqc3", "at most one value of the class: two such values are the same",
          f"?r <{{maxqc}}> ?n ; <{{onp}}> ?q ; <{{onc}}> ?c . ?u a ?r ; ?q $s , $o . $s a ?c . $o a ?c . "
          f"FILTER(?c != <{{thing}}>) {_ONE}", "?u a ?r", "?u ?q $s", "?u ?q $o", "$s a ?c", "$o a ?c",
          "?r <{maxqc}> ?n", "?r <{onp}> ?q", "?r <{onc}> ?c", concludes="same"),
    _rule("cls-maxqc4", "at most one value (of owl:Thing): two values are the same",
          f"?r <{{maxqc}}> ?n ; <{{onp}}> ?q ; <{{onc}}> <{{thing}}> . ?u a ?r ; ?q $s , $o . {_ONE}",
          "?u a ?r", "?u ?q $s", "?u ?q $o", "?r <{maxqc}> ?n", "?r <{onp}> ?q", "?r <{onc}> <{thing}>",
          concludes="same"),
    _rule("eq-rep-s", "a statement about a resource holds for whatever is the same as it",
          f"$s <{{same}}> ?x . ?x $p $o . FILTER(?x != $s) {_unbased('?x $p ?y')}",
          "$s <{same}> ?x", "?x $p $o", concludes="*"),
    _rule("eq-rep-p", "a statement with a property holds for whatever is the same as the property",
          f"$p <{{same}}> ?q . $s ?q $o . FILTER(?q != $p) {_unbased('?x ?q ?y')}",
          "$p <{same}> ?q", "$s ?q $o", concludes="*"),
    _rule("eq-rep-o", "a statement about a resource holds for whatever is the same as it",
          f"$o <{{same}}> ?x . $s $p ?x . FILTER(?x != $o) {_unbased('?y $p ?x')}",
          "$o <{same}> ?x", "$s $p ?x", concludes="*"),
    # A declared class (property) is its own subclass and equivalent (sub-property: scm-cls, scm-op, scm-dp); those
    # reflexive triples are junk, never stored, so their rewrites name the declaration instead.
    *(_rule(rule_id, f"a declared {kind} is its own {relation} (scm-{scm}), so it is of whatever is the same as it",
            f"{same} . {declared} a ?d . VALUES ?d {{{{ {types} }}}}", same, f"{declared} a ?d", concludes=concludes)
      for kind, relation, scm, types, concludes in (
          ("class", "subclass and equivalent", "cls", "<{class}>", "sco eqc"),
          ("property", "sub-property and equivalent", "op, scm-dp", "<{op}> <{dp}>", "spo eqp"))
      for rule_id, same, declared in (("eq-rep-o", "$s <{same}> $o", "$s"), ("eq-rep-s", "$o <{same}> $s", "$o"))),
)
_SCHEMA = (
    _rule("scm-sco", "subclass is transitive",
          "$s <{sco}> ?x . ?x <{sco}> $o . FILTER(?x != $s && ?x != $o)", "$s <{sco}> ?x", "?x <{sco}> $o",
          concludes="sco"),
    _rule("scm-cls", "every class is a subclass of owl:Thing",
          "$s a <{class}> . FILTER($o = <{thing}>)", "$s a <{class}>", concludes="sco"),
    _rule("scm-eqc1", "equivalent classes are subclasses of each other", "$s <{eqc}> $o", "$s <{eqc}> $o",
          concludes="sco"),
    _rule("scm-eqc1", "equivalent classes are subclasses of each other", "$o <{eqc}> $s", "$o <{eqc}> $s",
          concludes="sco"),
    _rule("scm-eqc2", "classes that are subclasses of each other are equivalent",
          "$s <{sco}> $o . $o <{sco}> $s", "$s <{sco}> $o", "$o <{sco}> $s", concludes="eqc"),
    _rule("scm-spo", "sub-property is transitive",
          "$s <{spo}> ?x . ?x <{spo}> $o . FILTER(?x != $s && ?x != $o)", "$s <{spo}> ?x", "?x <{spo}> $o",
          concludes="spo"),
    _rule("scm-eqp1", "equivalent properties are sub-properties of each other", "$s <{eqp}> $o", "$s <{eqp}> $o",
          concludes="spo"),
    _rule("scm-eqp1", "equivalent properties are sub-properties of each other", "$o <{eqp}> $s", "$o <{eqp}> $s",
          concludes="spo"),
    _rule("scm-eqp2", "properties that are sub-properties of each other are equivalent",
          "$s <{spo}> $o . $o <{spo}> $s", "$s <{spo}> $o", "$o <{spo}> $s", concludes="eqp"),
    _rule("scm-dom1", "a property's domain extends to the domain's superclasses",
          "$s <{dom}> ?c . ?c <{sco}> $o . FILTER(?c != $o)", "$s <{dom}> ?c", "?c <{sco}> $o", concludes="dom"),
    _rule("scm-dom2", "a sub-property has the domains of its super-properties",
          "?q <{dom}> $o . $s <{spo}> ?q . FILTER(?q != $s)", "?q <{dom}> $o", "$s <{spo}> ?q", concludes="dom"),
    _rule("scm-rng1", "a property's range extends to the range's superclasses",
          "$s <{rng}> ?c . ?c <{sco}> $o . FILTER(?c != $o)", "$s <{rng}> ?c", "?c <{sco}> $o", concludes="rng"),
    _rule("scm-rng2", "a sub-property has the ranges of its super-properties",
          "?q <{rng}> $o . $s <{spo}> ?q . FILTER(?q != $s)", "?q <{rng}> $o", "$s <{spo}> ?q", concludes="rng"),
    _rule("scm-int", "an intersection is a subclass of each of its classes",
          f"$s <{{int}}> ?l . {_MEMBER} $o", "$s <{int}> ?l", concludes="sco"),
    _rule("scm-uni", "each class of a union is a subclass of the union",
          f"$o <{{uni}}> ?l . {_MEMBER} $s", "$o <{uni}> ?l", concludes="sco"),
    # The sub-property (subclass) premise of scm-hv/svf/avf is reflexive when both restrictions are on the same
    # property (filler): that triple is junk, never stored, so each rule has a variant without it.
    _rule("scm-hv", "a hasValue restriction on a sub-property is a subclass of the one on the super-property",
          "$s <{hv}> ?i ; <{onp}> ?p1 . $o <{hv}> ?i ; <{onp}> ?p2 . ?p1 <{spo}> ?p2", "$s <{hv}> ?i",
          "$s <{onp}> ?p1", "$o <{hv}> ?i", "$o <{onp}> ?p2", "?p1 <{spo}> ?p2", concludes="sco"),
    _rule("scm-hv", "hasValue restrictions with the same value on the same property are subclasses of each other",
          "$s <{hv}> ?i ; <{onp}> ?q . $o <{hv}> ?i ; <{onp}> ?q", "$s <{hv}> ?i", "$s <{onp}> ?q", "$o <{hv}> ?i",
          "$o <{onp}> ?q", concludes="sco"),
    _rule("scm-svf1", "a someValuesFrom restriction is a subclass of one on a superclass of its filler",
          "$s <{svf}> ?y1 ; <{onp}> ?q . $o <{svf}> ?y2 ; <{onp}> ?q . ?y1 <{sco}> ?y2", "$s <{svf}> ?y1",
          "$s <{onp}> ?q", "$o <{svf}> ?y2", "$o <{onp}> ?q", "?y1 <{sco}> ?y2", concludes="sco"),
    _rule("scm-svf2", "a someValuesFrom restriction on a sub-property is a subclass of one on the super-property",
          "$s <{svf}> ?y ; <{onp}> ?p1 . $o <{svf}> ?y ; <{onp}> ?p2 . ?p1 <{spo}> ?p2", "$s <{svf}> ?y",
          "$s <{onp}> ?p1", "$o <{svf}> ?y", "$o <{onp}> ?p2", "?p1 <{spo}> ?p2", concludes="sco"),
    _rule("scm-svf1", "someValuesFrom restrictions with the same filler and property are subclasses of each other",
          "$s <{svf}> ?y ; <{onp}> ?q . $o <{svf}> ?y ; <{onp}> ?q", "$s <{svf}> ?y", "$s <{onp}> ?q",
          "$o <{svf}> ?y", "$o <{onp}> ?q", concludes="sco"),
    _rule("scm-avf1", "an allValuesFrom restriction is a subclass of one on a superclass of its filler",
          "$s <{avf}> ?y1 ; <{onp}> ?q . $o <{avf}> ?y2 ; <{onp}> ?q . ?y1 <{sco}> ?y2", "$s <{avf}> ?y1",
          "$s <{onp}> ?q", "$o <{avf}> ?y2", "$o <{onp}> ?q", "?y1 <{sco}> ?y2", concludes="sco"),
    _rule("scm-avf2", "an allValuesFrom restriction on a super-property is a subclass of one on the sub-property",
          "$s <{avf}> ?y ; <{onp}> ?p2 . $o <{avf}> ?y ; <{onp}> ?p1 . ?p1 <{spo}> ?p2", "$s <{avf}> ?y",
          "$s <{onp}> ?p2", "$o <{avf}> ?y", "$o <{onp}> ?p1", "?p1 <{spo}> ?p2", concludes="sco"),
    _rule("scm-avf1", "allValuesFrom restrictions with the same filler and property are subclasses of each other",
          "$s <{avf}> ?y ; <{onp}> ?q . $o <{avf}> ?y ; <{onp}> ?q", "$s <{avf}> ?y", "$s <{onp}> ?q",
          "$o <{avf}> ?y", "$o <{onp}> ?q", concludes="sco"),
)
STATIC: tuple[Rule, ...] = (*_TYPES, *_PROPERTIES, *_EQUALITY, *_SCHEMA)

# The lengths of the lists the sized rules read, in one query per graph: (kind, length) rows.
LIST_LENGTHS = (
    "SELECT DISTINCT ?kind ?n WHERE { { SELECT ?kind ?l (COUNT(DISTINCT ?cell) AS ?n) WHERE { "
    f"VALUES (?kind ?axiom) {{ (\"chain\" <{IRIS['chain']}>) (\"key\" <{IRIS['key']}>) "
    f"(\"int\" <{IRIS['int']}>) }} ?x ?axiom ?l . ?l <{IRIS['rest']}>* ?cell . ?cell <{IRIS['first']}> ?m }} "
    "GROUP BY ?kind ?l } }")


def _walk(head: str, item: str, n: int) -> str:
    """The n members of the list `head`, in order, as ?{item}1 ... ?{item}n (cells ?{item}_l2 ...)."""
    cells = [head, *(f"?{item}_l{i}" for i in range(2, n + 1)), "<{nil}>"]
    return " ".join(f"{cells[i]} <{{first}}> ?{item}{i + 1} ; <{{rest}}> {cells[i + 1]} ." for i in range(n))


def _chain(n: int) -> Rule:
    """prp-spo2 for a chain of n links: every link a premise."""
    nodes = ["$s", *(f"?x{i}" for i in range(1, n)), "$o"]
    links = [f"{nodes[i]} ?p{i + 1} {nodes[i + 1]}" for i in range(n)]
    return _rule("prp-spo2", "a property chain: following the chain's properties in turn implies the property",
                 f"$p <{{chain}}> ?l . {_walk('?l', 'p', n)} {' . '.join(links)}", "$p <{chain}> ?l", *links,
                 concludes="*")


def _key(n: int) -> Rule:
    """prp-key for a key of n properties: both members of the class, and each key property's shared value."""
    values = [f"{x} ?k{i} ?z{i}" for i in range(1, n + 1) for x in ("$s", "$o")]
    return _rule("prp-key", "members of a class with the same key values are the same",
                 f"?c <{{key}}> ?l . {_walk('?l', 'k', n)} $s a ?c . $o a ?c . {' . '.join(values)} "
                 "FILTER($s != $o)", "?c <{key}> ?l", "$s a ?c", "$o a ?c", *values, concludes="same")


def _intersection(n: int) -> Rule:
    """cls-int1 for an intersection of n classes: a typing per class."""
    typings = [f"$s a ?c{i}" for i in range(1, n + 1)]
    return _rule("cls-int1", "a member of every class of an intersection is a member of the intersection",
                 f"$o <{{int}}> ?l . {_walk('?l', 'c', n)} {' . '.join(typings)}", "$o <{int}> ?l", *typings,
                 concludes="type")


_SIZED = {"chain": _chain, "key": _key, "int": _intersection}


@lru_cache(maxsize=64)
def sized(lengths: frozenset[tuple[str, int]]) -> tuple[Rule, ...]:
    """The rules of a graph: the fixed ones, and the sized ones for the (kind, length) pairs its lists have."""
    extra = [_SIZED[kind](n) for kind, n in sorted(lengths) if kind in _SIZED and 0 < n <= _LONGEST]
    return (*STATIC, *extra)


_LONGEST = 64  # a longer list is not an axiom anyone writes by hand; its pattern would be a query of its own
