// Bootstraps the MongoDB replica set rs0 for deploy/compose.yaml; run by the mongo-init
// service as `mongosh --host mongo1:27017 --file rs-init.js`.
//
// Idempotent: on a set that is already initiated it only waits for a primary, so it is safe
// on every `docker compose up`. Exits non-zero (failing mongo-init, which keeps the app from
// starting) if the members or a primary do not appear within two minutes.

const replSet = 'rs0';
const members = ['mongo1:27017', 'mongo2:27017', 'mongo3:27017'];
const deadline = Date.now() + 120 * 1000;

function waitFor(what, ok) {
  for (;;) {
    try {
      if (ok()) return;
    } catch (e) {
      // not yet: the member is starting or the election is under way
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    sleep(1000);
  }
}

// Every member must answer before rs.initiate, which contacts them all.
for (const host of members) {
  waitFor(host, () => {
    const conn = new Mongo(`mongodb://${host}/?directConnection=true&serverSelectionTimeoutMS=2000`);
    try {
      return conn.getDB('admin').runCommand({ ping: 1 }).ok === 1;
    } finally {
      conn.close();
    }
  });
}

let initiated = true;
try {
  rs.status();
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  initiated = false;
}

if (initiated) {
  print(`replica set ${replSet} already initiated`);
} else {
  rs.initiate({ _id: replSet, members: members.map((host, i) => ({ _id: i, host })) });
  print(`replica set ${replSet} initiated`);
}

waitFor('a primary', () => rs.status().members.some((m) => m.stateStr === 'PRIMARY'));
print(`replica set ${replSet} has a primary`);
