import { describe, expect, it } from 'vitest';
import { envelopeProblem } from './envelopes';
import { answerProblem } from './transport';

/** The fuzz oracle itself: it must reject what a careless server sends, or the fuzz proves nothing. */

const json = 'application/json';
const request = { method: 'POST', target: '/x', headers: {}, body: undefined, label: 'x' };

describe('envelopeProblem', () => {
  it('accepts each vendor envelope for its own status', () => {
    expect(envelopeProblem('atomic', 404, json, '{"code":40401,"message":"Not found"}')).toBeUndefined();
    expect(
      envelopeProblem(
        'atomic',
        422,
        json,
        '{"code":42201,"message":"bad","errors":[{"path":"identifier","message":"Required"}]}',
      ),
    ).toBeUndefined();
    expect(
      envelopeProblem(
        'atelio',
        400,
        json,
        '{"Message":"bad","Status":400,"Code":"invalid_request","Type":"Request Error"}',
      ),
    ).toBeUndefined();
    expect(
      envelopeProblem('control', 403, json, '{"error":{"code":"cross_origin_refused","message":"no"}}'),
    ).toBeUndefined();
  });

  it("rejects the framework's default bodies and plain text", () => {
    expect(envelopeProblem('atomic', 404, 'text/plain;charset=UTF-8', '404 Not Found')).toMatch(
      /content-type/,
    );
    expect(envelopeProblem('control', 500, json, 'Internal Server Error')).toMatch(/not JSON/);
    expect(envelopeProblem('atelio', 400, json, '{"success":false,"error":{"name":"ZodError"}}')).toMatch(
      /not the atelio envelope/,
    );
  });

  it('rejects another vendor envelope, a code of another status, and errors[] outside a 422', () => {
    expect(
      envelopeProblem(
        'atomic',
        400,
        json,
        '{"Message":"bad","Status":400,"Code":"invalid_request","Type":"Request Error"}',
      ),
    ).toBeDefined();
    expect(envelopeProblem('atomic', 400, json, '{"code":40401,"message":"x"}')).toMatch(/does not belong/);
    expect(envelopeProblem('atomic', 400, json, '{"code":40001,"message":"x","errors":[]}')).toMatch(
      /errors\[\]/,
    );
    expect(
      envelopeProblem('atelio', 404, json, '{"Message":"x","Status":400,"Code":"x","Type":"Request Error"}'),
    ).toMatch(/differs/);
    expect(envelopeProblem('control', 400, json, '{"error":"bad"}')).toBeDefined();
  });
});

describe('answerProblem', () => {
  it('fails any 5xx, whatever its body, and ignores successes', () => {
    expect(
      answerProblem('control', request, {
        status: 500,
        contentType: json,
        text: '{"error":{"code":"internal_error","message":"x"}}',
      }),
    ).toMatch(/status 500/);
    expect(
      answerProblem('atomic', request, {
        status: 503,
        contentType: json,
        text: '{"code":50301,"message":"x"}',
      }),
    ).toMatch(/status 503/);
    expect(
      answerProblem('atomic', request, { status: 200, contentType: 'text/html', text: '<html>' }),
    ).toBeUndefined();
  });
});
