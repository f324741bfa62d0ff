// What a GraphQL operation will cost Ponder's resolvers, computed from the document before it runs.
// Ponder's token, depth and alias limits do not bound work: a list field nested in a list runs one
// query per parent row, so `tickets(limit: 2) → event → tickets(limit: 2) → …` grows by the limit at
// every level while the document stays a few hundred bytes. The cost counts what the database
// does, in rows: a query (one per list resolved, per parent row) costs QUERY_COST, plus the rows it
// may return or skip; a single-row relation is one (batched) look-up per parent; scalars are free.
//
// In Ponder's schema a list is a page (`{ items, pageInfo, totalCount }`) with `limit` (default 50,
// at most 1000) and `offset` arguments: a field whose selection asks for `items` is a list.
import {
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

/** A round trip to the database weighs about as much as this many rows read. */
export const QUERY_COST = 10;
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 1000;

export type OperationCost = {
  /** Rows read, plus QUERY_COST per query, for the whole operation. */
  cost: number;
  /** Lists nested in lists, at the deepest point (a root list is 1). */
  listDepth: number;
};

type Variables = Record<string, unknown> | null | undefined;

function intArgument(field: FieldNode, name: string, variables: Variables): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const value = literal(arg.value, variables);
  return typeof value === "number" && Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : undefined;
}

function literal(node: ValueNode, variables: Variables): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value];
  return undefined;
}

type Walk = { fragments: Map<string, FragmentDefinitionNode>; variables: Variables; visiting: Set<string> };

/** The fields a selection set asks for, fragments spread in (a cycle is a validation error; it contributes nothing here). */
function fieldsOf(set: SelectionSetNode | undefined, walk: Walk): FieldNode[] {
  if (!set) return [];
  const out: FieldNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(selection.selectionSet, walk));
    else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      if (!fragment || walk.visiting.has(name)) continue;
      walk.visiting.add(name);
      out.push(...fieldsOf(fragment.selectionSet, walk));
      walk.visiting.delete(name);
    }
  }
  return out;
}

/** Cost of resolving `set` once for each of `parents` rows, at list nesting `depth`. */
function costOf(set: SelectionSetNode | undefined, parents: number, depth: number, walk: Walk): OperationCost {
  let cost = 0;
  let listDepth = depth;
  for (const field of fieldsOf(set, walk)) {
    if (!field.selectionSet || field.name.value.startsWith("__")) continue;
    const subfields = fieldsOf(field.selectionSet, walk);
    const items = subfields.filter((f) => f.name.value === "items");
    if (items.length === 0) {
      // One row per parent (a relation, or a root look-up by id).
      const inner = costOf(field.selectionSet, parents, depth, walk);
      cost += parents + inner.cost;
      listDepth = Math.max(listDepth, inner.listDepth);
      continue;
    }
    const limit = Math.min(intArgument(field, "limit", walk.variables) ?? DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
    const offset = intArgument(field, "offset", walk.variables) ?? 0;
    const rows = parents * limit;
    // A query per parent, the rows it skips and returns; totalCount is one more query per parent.
    cost += parents * QUERY_COST + parents * offset + rows;
    if (subfields.some((f) => f.name.value === "totalCount")) cost += parents * QUERY_COST;
    listDepth = Math.max(listDepth, depth + 1);
    for (const item of items) {
      const inner = costOf(item.selectionSet, rows, depth + 1, walk);
      cost += inner.cost;
      listDepth = Math.max(listDepth, inner.listDepth);
    }
  }
  return { cost, listDepth };
}

/** The operation that will run: the one named, or the only one. */
function operationOf(doc: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = doc.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The cost of the operation `query` would run, or null when it does not parse or names no single operation (GraphQL refuses those itself). */
export function operationCost(query: string, variables?: Variables, operationName?: string | null): OperationCost | null {
  let doc: DocumentNode;
  try {
    // Ponder refuses documents of more than 1,000 tokens anyway: past that, no need to read on.
    doc = parse(query, { noLocation: true, maxTokens: 2_000 });
  } catch {
    return null;
  }
  const operation = operationOf(doc, operationName);
  if (!operation) return null;
  const fragments = new Map(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return costOf(operation.selectionSet, 1, 0, { fragments, variables, visiting: new Set() });
}
