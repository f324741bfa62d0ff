// GraphiQL against this origin's /graphql, with the query explorer (as Ponder's own page has it).
const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", window.location.href).toString() });
const explorer = GraphiQLPluginExplorer.explorerPlugin();
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, plugins: [explorer], defaultEditorToolsVisibility: false }),
);
