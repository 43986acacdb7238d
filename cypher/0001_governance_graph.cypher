// Cypher migration 1: the governance graph, its labels, and indexes on the vertex id properties.
// Directives (//! ...) create the graph, labels and indexes; any other statement is Cypher run
// against the graph, each ending with a semicolon. "create elabel" also indexes start_id and end_id.
// "create index L(p)" adds a btree index on property p and a GIN index on the properties of L.
//! graph governance_graph
//! create graph
//! create vlabel Agent
//! create vlabel Discovery
//! create vlabel Tag
//! create vlabel DialecticSession
//! create elabel AUTHORED
//! create elabel RESPONDS_TO
//! create elabel RELATED_TO
//! create elabel TAGGED
//! create elabel SUPERSEDES
//! create elabel SPAWNED
//! create index Agent(id)
//! create index Discovery(id)
//! create index Tag(id)
//! create index DialecticSession(id)
