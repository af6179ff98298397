import { describe, expect, it } from 'vitest';
import { engineStopDecision } from '../testbed/docker-engine.js';

const OWN = 'odoo-ops-test-1234';

describe('the test bed stops a dockerd it started only when nothing else is on it', () => {
  it('stops an engine left empty, or holding only the test bed\'s own containers', () => {
    expect(engineStopDecision([], OWN)).toEqual({ stop: true });
    expect(engineStopDecision([{ name: 'db', project: OWN, state: 'running' }, { name: 'odoo', project: OWN, state: 'exited' }], OWN)).toEqual({ stop: true });
  });

  it('leaves it running, naming them, when another run\'s stack or any other container is on it, running or not', () => {
    expect(engineStopDecision([{ name: 'odoo', project: OWN, state: 'running' }, { name: 'other-db', project: 'odoo-ops-test-999', state: 'running' }], OWN)).toEqual({
      stop: false,
      why: '1 other container on it: other-db (running)',
    });
    expect(engineStopDecision([{ name: 'scratch', project: null, state: 'exited' }], OWN)).toEqual({ stop: false, why: '1 other container on it: scratch (exited)' });
    const many = Array.from({ length: 7 }, (_, i) => ({ name: `c${i}`, project: null, state: 'created' }));
    expect(engineStopDecision(many, OWN)).toEqual({ stop: false, why: '7 other containers on it: c0 (created), c1 (created), c2 (created), c3 (created), c4 (created) and 2 more' });
  });
});
