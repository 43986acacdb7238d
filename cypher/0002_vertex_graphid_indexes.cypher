// Cypher migration 2: btree indexes on the graph id column of every vertex label.
// AGE checks that both ends of a new edge exist by looking them up by graph id in their label
// table; without these indexes every edge CREATE scans the vertex table (measured at 100k
// discoveries: 69 ms per created edge without, 5 ms with).
//! graph governance_graph
//! create graphid index Agent
//! create graphid index Discovery
//! create graphid index Tag
//! create graphid index DialecticSession
