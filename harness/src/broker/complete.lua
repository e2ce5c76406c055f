-- Completes one delivered message: counts the attempt, performs the job's
-- idempotent side effect, acknowledges the message. A script runs whole
-- or not at all, so a consumer killed around it leaves all three done
-- (the message acknowledged, never handed out again) or none (the message
-- pending, for a survivor to claim and complete). Duplicates come only
-- from a slow consumer whose message was claimed meanwhile: both complete
-- it, the second attempt counts one duplicate and adds no effect.
--
-- KEYS[1] stream     KEYS[2] deliveries (hash job -> attempts)
-- KEYS[3] effects (set of jobs)   KEYS[4] duplicates (counter)
-- KEYS[5] completions by consumer (hash consumer -> attempts)
-- ARGV[1] group   ARGV[2] entry id   ARGV[3] job   ARGV[4] consumer
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
if attempts > 1 then
  redis.call('INCR', KEYS[4])
end
local first = redis.call('SADD', KEYS[3], ARGV[3])
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[5], ARGV[4], 1)
return {first, acked}
