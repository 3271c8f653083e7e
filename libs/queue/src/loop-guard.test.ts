import { UnrecoverableError } from 'bullmq';
import { LineageSchema } from '@manga-assist/contracts';
import { LoopGuardError, emittedLineage, loopGuardReason, loopGuardReasonOf } from './loop-guard';

describe('loop guard', () => {
  it('lets a job from the edge and the next two steps through, and refuses depth 3 and deeper', () => {
    expect([0, 1, 2, 3, 7].map((chainDepth) => loopGuardReason({ chainDepth, processingStage: 'raw' }))).toEqual([
      null,
      null,
      null,
      'chain_depth_exceeded',
      'chain_depth_exceeded',
    ]);
  });

  it('refuses model output at any depth', () => {
    expect(loopGuardReason({ chainDepth: 0, processingStage: 'processed' })).toBe('processed_input');
    expect(loopGuardReason({ chainDepth: 5, processingStage: 'processed' })).toBe('processed_input');
  });

  it('treats a job without lineage as one from the edge', () => {
    expect(LineageSchema.parse({})).toEqual({ chainDepth: 0, processingStage: 'raw' });
    expect(LineageSchema.safeParse({ chainDepth: -1 }).success).toBe(false);
    expect(LineageSchema.safeParse({ processingStage: 'cooked' }).success).toBe(false);
  });

  it('marks what a consumer emits one step further and processed', () => {
    expect(emittedLineage({ chainDepth: 0, processingStage: 'raw' })).toEqual({ chainDepth: 1, processingStage: 'processed' });
    expect(emittedLineage({ chainDepth: 2, processingStage: 'raw' })).toEqual({ chainDepth: 3, processingStage: 'processed' });
  });

  it('fails a refused job as unrecoverable (BullMQ does not retry it), with the reason readable from its message', () => {
    const error = new LoopGuardError('chain_depth_exceeded', { chainDepth: 3, processingStage: 'raw' });
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.name).toBe('UnrecoverableError');
    expect(error.message).toBe('loop guard (chain_depth_exceeded): refused chainDepth 3; a consumer that may call the model takes at most 2');
    expect(loopGuardReasonOf(error.message)).toBe('chain_depth_exceeded');
    expect(loopGuardReasonOf(new LoopGuardError('processed_input', { chainDepth: 1, processingStage: 'processed' }).message)).toBe('processed_input');
    expect(loopGuardReasonOf('session belongs to another user')).toBeNull();
    expect(loopGuardReasonOf(undefined)).toBeNull();
  });
});
