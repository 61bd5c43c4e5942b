// Runs Microsoft's own Kusto parser (@kusto/language-service-next) over queries, against the
// documented schemas of the tables they read (facts/usage.md §2). Input: a JSON file holding
// [{"name": ..., "query": ...}]; output: [{"name": ..., "diagnostics": [messages]}] on stdout.
require('@kusto/language-service-next/bridge.js');
require('@kusto/language-service-next/Kusto.Language.Bridge.js');
const fs = require('fs');
const K = Kusto.Language, S = K.Symbols;
const tables = [
  ['AppMetrics', '(TimeGenerated:datetime, Name:string, Sum:real, Min:real, Max:real, ItemCount:long, Properties:dynamic, AppRoleName:string, _ResourceId:string)'],
  ['customMetrics', '(timestamp:datetime, name:string, value:real, valueCount:long, valueSum:real, valueMin:real, valueMax:real, customDimensions:dynamic)'],
  ['ApiManagementGatewayLlmLog', '(TimeGenerated:datetime, CorrelationId:string, DeploymentName:string, ModelName:string, PromptTokens:long, CompletionTokens:long, TotalTokens:long)'],
  ['AppRequests', '(TimeGenerated:datetime, Name:string, DurationMs:real, Success:bool, Properties:dynamic)'],
].map(([name, schema]) => S.TableSymbol.From(schema).WithName(name));
const db = new S.DatabaseSymbol.ctor('workspace', tables);
const globals = K.GlobalState.Default.WithDatabase(db);
const out = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).map(({ name, query }) => {
  const d = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const diagnostics = [];
  for (let i = 0; i < d.Count; i++) diagnostics.push(d.getItem(i).Message);
  return { name, diagnostics };
});
console.log(JSON.stringify(out));
