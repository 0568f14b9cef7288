#!/usr/bin/env node
// A second SMSC, written with npm smpp@0.5.1 (createServer), for the demo
// and for the cross-implementation check of the SMPP sender
// (messaging/smpp_node_test.go). It binds transceivers with one system_id
// and password, answers submit_sm with a message id, and then sends the
// delivery receipt as a deliver_sm (esm_class 0x04) in the usual
// "id:… sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD err:000
// text:…" form. A destination ending in 0000 is refused (ESME_RINVDSTADR);
// one ending in 4444 is accepted and then reported UNDELIV err:004.
//
// Usage: node smsc.js [--port 2775] [--system-id callcenter] [--password secret]
// It prints one JSON line per event on stdout ({"event":"listening","port":N},
// {"event":"bind",...}, {"event":"submit",...}, {"event":"receipt",...}) and
// exits when stdin closes or on SIGINT/SIGTERM.
'use strict';
const smpp = require('smpp');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const port = Number(arg('port', '2775'));
const systemID = arg('system-id', 'callcenter');
const password = arg('password', 'secret');

function emit(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

function stamp(d) {
  const p = (n) => String(n).padStart(2, '0');
  return p(d.getFullYear() % 100) + p(d.getMonth() + 1) + p(d.getDate()) + p(d.getHours()) + p(d.getMinutes());
}

let next = 1;
const sessions = new Set();
const server = smpp.createServer((session) => {
  sessions.add(session);
  session.on('close', () => sessions.delete(session));
  session.on('error', () => sessions.delete(session));
  let bound = false;
  const bind = (pdu) => {
    if (pdu.system_id !== systemID || pdu.password !== password) {
      emit({ event: 'bind', ok: false, system_id: pdu.system_id });
      session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
      session.close();
      return;
    }
    bound = true;
    emit({ event: 'bind', ok: true, command: pdu.command, system_id: pdu.system_id });
    session.send(pdu.response({ system_id: 'node-smsc' }));
  };
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('enquire_link', (pdu) => session.send(pdu.response()));
  session.on('unbind', (pdu) => { session.send(pdu.response()); session.close(); });
  session.on('submit_sm', (pdu) => {
    if (!bound) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    const sm = pdu.short_message || {};
    const text = typeof sm === 'string' ? sm : (sm.message || '');
    const udh = sm.udh ? sm.udh.map((b) => Buffer.from(b).toString('hex')) : [];
    const dest = pdu.destination_addr;
    const submit = { event: 'submit', source: pdu.source_addr, dest, data_coding: pdu.data_coding,
      esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery, udh, text };
    if (dest.endsWith('0000')) {
      emit(Object.assign(submit, { status: 'ESME_RINVDSTADR' }));
      session.send(pdu.response({ command_status: smpp.ESME_RINVDSTADR }));
      return;
    }
    const id = (next++).toString(16).padStart(8, '0');
    emit(Object.assign(submit, { id }));
    session.send(pdu.response({ message_id: id }));
    if (!(pdu.registered_delivery & 0x01)) {
      return;
    }
    const now = new Date();
    const failed = dest.endsWith('4444');
    const receipt = `id:${id} sub:001 dlvrd:${failed ? '000' : '001'} submit date:${stamp(now)} done date:${stamp(now)} ` +
      `stat:${failed ? 'UNDELIV' : 'DELIVRD'} err:${failed ? '004' : '000'} text:`;
    setImmediate(() => {
      session.deliver_sm({ source_addr: dest, destination_addr: pdu.source_addr, esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
        short_message: receipt }, (resp) => emit({ event: 'receipt', id, status: resp.command_status, text: receipt }));
    });
  });
});

server.on('error', (err) => { emit({ event: 'error', message: String(err) }); process.exit(1); });
server.listen(port, '127.0.0.1', () => emit({ event: 'listening', port: server.address().port }));

function stop() {
  for (const s of sessions) {
    try { s.close(); } catch (e) { /* closing anyway */ }
  }
  server.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
