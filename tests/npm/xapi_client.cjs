// Drives the LRS with @xapi/xapi from the npm registry: records statements, reads them back (by
// id, by agent) and writes and reads a state document. Prints one JSON object of what it saw.
// Usage: node xapi_client.cjs ENDPOINT KEY SECRET VERSION ACTIVITY_ID MBOX
const XAPI = require("@xapi/xapi").default;

async function main() {
  const [endpoint, key, secret, version, activityId, mbox] = process.argv.slice(2);
  const xapi = new XAPI({ endpoint, auth: XAPI.toBasicAuth(key, secret), version });
  const actor = { objectType: "Agent", name: "Elin", mbox };
  const completed = {
    actor,
    verb: XAPI.Verbs.COMPLETED,
    object: { objectType: "Activity", id: activityId },
    result: { completion: true, duration: "PT45M" },
  };
  const sent = await xapi.sendStatement({ statement: completed });
  const id = sent.data[0];
  const one = await xapi.getStatement({ statementId: id });
  const mine = await xapi.getStatements({ agent: actor, limit: 10 });
  await xapi.setState({
    agent: actor,
    activityId,
    stateId: "bookmark",
    state: { page: 7 },
  });
  const state = await xapi.getState({ agent: actor, activityId, stateId: "bookmark" });
  const about = await xapi.getAbout();
  console.log(
    JSON.stringify({
      id,
      version: one.headers["x-experience-api-version"],
      stored: one.data.stored,
      verb: one.data.verb.id,
      listed: mine.data.statements.map((s) => s.id),
      state: state.data,
      about: about.data.version,
    })
  );
}

main().catch((error) => {
  const response = error.response;
  console.error(response ? `${response.status} ${JSON.stringify(response.data)}` : String(error));
  process.exit(1);
});
