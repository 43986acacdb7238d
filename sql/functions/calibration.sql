-- Calibration and ground truth. core.ground_truth holds one row per decision: the confidence it was
-- made with and, once known, its outcome (actual_correct in [0, 1]; fractional outcomes are allowed,
-- as in the legacy calibration_state.json). core.calibration holds the bins: 10 bins of width 0.1
-- over confidence ([0.0, 0.1) ... [0.9, 1.0], the top bin closed), each with count,
-- predicted_correct, actual_correct and confidence_sum of the decisions whose outcome is known.
--
-- Versions: the current version is MAX(version). Recording an outcome adds it in place to the
-- current version's bin (the UPDATE locks that bin row, so concurrent outcomes never lose a count).
-- calibration_recompute writes a new version from core.ground_truth, optionally only from outcomes
-- since a time (a reset). Version 1 is created by the first outcome. Outcomes take a shared
-- advisory lock and recomputes an exclusive one, so no outcome can fall between a recompute's read
-- of ground truth and its new version.

create or replace function core.calibration_bin_lower(p_confidence double precision)
returns numeric
language sql immutable strict
as $$ select least(floor(p_confidence::numeric * 10), 9) / 10 $$;
comment on function core.calibration_bin_lower(double precision) is
'Lower bound of the calibration bin of a confidence in [0, 1]: 0.0, 0.1, ... 0.9 (the top bin is closed).
Numeric arithmetic, so 0.3 lands in [0.3, 0.4). Strict: null for null.';

create or replace function core.calibration_record_prediction(
  p_decision_id text,
  p_confidence double precision,
  p_agent_id text default null,
  p_decision core.decision default null,
  p_predicted_correct boolean default true,
  p_details jsonb default '{}')
returns core.ground_truth
language plpgsql
as $$
declare
  v core.ground_truth;
  v_problems text[] := '{}';
  v_diff text[];
begin
  if coalesce(btrim(p_decision_id), '') = '' or char_length(p_decision_id) > 256 then
    v_problems := v_problems || format('decision_id is "%s", expected 1 to 256 characters', coalesce(left(p_decision_id, 40), 'null'));
  end if;
  if p_confidence is null or not (p_confidence between 0 and 1) then
    v_problems := v_problems || format('confidence is %s, expected a number from 0 to 1', coalesce(p_confidence::text, 'null'));
  end if;
  if p_predicted_correct is null then
    v_problems := v_problems || 'predicted_correct is null, expected true or false'::text;
  end if;
  if jsonb_typeof(p_details) is distinct from 'object' then
    v_problems := v_problems || format('details is %s, expected a JSON object', coalesce(left(p_details::text, 40), 'null'));
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_PREDICTION',
      message = 'Invalid prediction: ' || array_to_string(v_problems, '; ');
  end if;
  if p_agent_id is not null then
    -- the agent must be able to write now (GV423 when paused, archived or deleted)
    perform core.require_active_actor(p_agent_id, 'agent');
  end if;

  insert into core.ground_truth (decision_id, agent_id, decision, confidence, predicted_correct, details)
  values (p_decision_id, p_agent_id, p_decision, p_confidence, p_predicted_correct, p_details)
  on conflict (decision_id) do nothing
  returning * into v;
  if found then
    return v;
  end if;

  select * into v from core.ground_truth where decision_id = p_decision_id;
  v_diff := array_remove(array[
    case when v.agent_id is distinct from p_agent_id then format('agent_id %s vs %s', coalesce(v.agent_id, 'null'), coalesce(p_agent_id, 'null')) end,
    case when v.decision is distinct from p_decision then format('decision %s vs %s', coalesce(v.decision::text, 'null'), coalesce(p_decision::text, 'null')) end,
    case when v.confidence is distinct from p_confidence then format('confidence %s vs %s', v.confidence, p_confidence) end,
    case when v.predicted_correct is distinct from p_predicted_correct then format('predicted_correct %s vs %s', v.predicted_correct, p_predicted_correct) end,
    case when v.details is distinct from p_details then 'details differ' end], null);
  if cardinality(v_diff) > 0 then
    raise exception using errcode = 'GV409', detail = 'PREDICTION_CONFLICT',
      message = format('Decision "%s" was already recorded with different content (stored vs given: %s)', p_decision_id, array_to_string(v_diff, '; ')),
      hint = 'A decision is recorded once; use a new decision_id for a new decision.';
  end if;
  return v;
end;
$$;
comment on function core.calibration_record_prediction(text,double precision,text,core.decision,boolean,jsonb) is
'Records a decision with its confidence (0..1) in core.ground_truth and returns the stored row.
Idempotent per decision_id: the same content again returns the stored row. With p_agent_id the agent must be able to write.
Errors: GV400 INVALID_PREDICTION listing every problem; GV409 PREDICTION_CONFLICT for different content under a known decision_id; GV404 / GV423 for the agent.
@nonnull decision_id, confidence, predicted_correct, recorded_at, details';

-- A shared advisory lock (recompute takes it exclusively), so no outcome falls between a recompute's
-- read of ground truth and its new version; the bin UPDATE locks the row, so no count is lost.
drop function if exists core.calibration_record_outcome(text, double precision);
create or replace function core.calibration_record_outcome(p_decision_id text, p_actual_correct double precision,
  p_actor_agent_id text default null, p_admin boolean default false)
returns core.ground_truth
language plpgsql
as $$
declare
  v core.ground_truth;
  v_version integer;
begin
  if p_actual_correct is null or not (p_actual_correct between 0 and 1) then
    raise exception using errcode = 'GV400', detail = 'INVALID_OUTCOME',
      message = format('actual_correct is %s, expected a number from 0 (wrong) to 1 (correct)', coalesce(p_actual_correct::text, 'null'));
  end if;
  perform pg_advisory_xact_lock_shared(hashtext('govdb.calibration.bins'));

  select * into v from core.ground_truth where decision_id = p_decision_id for update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'DECISION_NOT_FOUND',
      message = format('No recorded decision with id "%s"', p_decision_id),
      hint = 'Record the prediction (the record_prediction tool) before its outcome.';
  end if;
  if not coalesce(p_admin, false) then
    if v.agent_id is distinct from p_actor_agent_id then
      raise exception using errcode = 'GV403', detail = 'NOT_DECISION_OWNER',
        message = format('Decision "%s" was recorded by %s, not by "%s"; only that agent or an admin records its outcome',
                         p_decision_id, coalesce('agent "' || v.agent_id || '"', 'no agent (imported)'), coalesce(p_actor_agent_id, '(none)')),
        hint = 'Record outcomes of your own decisions, or pass admin_token.';
    end if;
    perform core.require_active_actor(p_actor_agent_id, 'agent');
  end if;
  if v.actual_correct is not null then
    if v.actual_correct = p_actual_correct then
      return v;
    end if;
    raise exception using errcode = 'GV409', detail = 'OUTCOME_CONFLICT',
      message = format('Decision "%s" already has outcome %s (recorded %s), got %s', p_decision_id, v.actual_correct, v.outcome_at, p_actual_correct),
      hint = 'An outcome is recorded once per decision.';
  end if;

  update core.ground_truth set actual_correct = p_actual_correct, outcome_at = now()
   where decision_id = p_decision_id returning * into v;

  select max(version) into v_version from core.calibration;
  if v_version is null then
    v_version := 1;
    insert into core.calibration (version, bin_lower, bin_upper)
    select 1, b / 10.0, (b + 1) / 10.0 from generate_series(0, 9) b
    on conflict do nothing;
  end if;
  update core.calibration
     set count = count + 1,
         predicted_correct = predicted_correct + case when v.predicted_correct then 1 else 0 end,
         actual_correct = actual_correct + p_actual_correct,
         confidence_sum = confidence_sum + v.confidence,
         updated_at = now()
   where version = v_version and bin_lower = core.calibration_bin_lower(v.confidence);
  return v;
end;
$$;
comment on function core.calibration_record_outcome(text,double precision,text,boolean) is
'Records the outcome (actual_correct from 0 = wrong to 1 = correct; fractions allowed) of a decision once and adds it to the current calibration bins; returns the decision row.
The same outcome again is a no-op. Who: the agent that recorded the decision (p_actor_agent_id, able to write now) or an admin (p_admin). Version 1 of the bins is created by the first outcome.
Errors: GV400 INVALID_OUTCOME; GV403 NOT_DECISION_OWNER; GV404 DECISION_NOT_FOUND; GV409 OUTCOME_CONFLICT; GV423 when the actor cannot write.
@nonnull decision_id, confidence, predicted_correct, actual_correct, recorded_at, outcome_at, details';

create or replace function core.calibration_recompute(p_since timestamptz default null)
returns integer
language plpgsql
as $$
declare
  v_version integer;
begin
  perform pg_advisory_xact_lock(hashtext('govdb.calibration.bins'));
  select coalesce(max(version), 0) + 1 into v_version from core.calibration;
  insert into core.calibration (version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum)
  select v_version, b / 10.0, (b + 1) / 10.0,
         count(g.decision_id),
         count(g.decision_id) filter (where g.predicted_correct),
         coalesce(sum(g.actual_correct), 0),
         coalesce(sum(g.confidence), 0)
    from generate_series(0, 9) b
    left join core.ground_truth g
      on g.actual_correct is not null
     and (p_since is null or g.outcome_at >= p_since)
     and core.calibration_bin_lower(g.confidence) = b / 10.0
   group by b;
  return v_version;
end;
$$;
comment on function core.calibration_recompute(timestamp with time zone) is
'Writes a new calibration version computed from core.ground_truth and returns its number.
With p_since only outcomes since then count (p_since = now() starts empty bins).
@nonnull *';

create or replace function core.calibration_bins(p_version integer default null)
returns table (version integer, bin_lower double precision, bin_upper double precision, count bigint,
               predicted_correct double precision, actual_correct double precision, confidence_sum double precision,
               mean_confidence double precision, accuracy double precision, gap double precision, updated_at timestamptz)
language plpgsql stable
rows 20
as $$
declare
  v_version integer := p_version;
begin
  if v_version is null then
    select max(c.version) into v_version from core.calibration c;
    if v_version is null then
      return query select 0, b / 10.0::float8, (b + 1) / 10.0::float8, 0::bigint, 0::float8, 0::float8, 0::float8,
                          null::float8, null::float8, null::float8, null::timestamptz
                     from generate_series(0, 9) b order by b;
      return;
    end if;
  elsif not exists (select 1 from core.calibration c where c.version = v_version) then
    raise exception using errcode = 'GV404', detail = 'CALIBRATION_VERSION_NOT_FOUND',
      message = format('No calibration version %s (latest is %s)', v_version,
                       coalesce((select max(c.version)::text from core.calibration c), 'none')),
      hint = 'Omit the version to read the current one.';
  end if;
  return query
    select c.version, c.bin_lower::float8, c.bin_upper::float8, c.count, c.predicted_correct, c.actual_correct, c.confidence_sum,
           c.confidence_sum / nullif(c.count, 0),
           c.actual_correct / nullif(c.count, 0),
           (c.actual_correct - c.confidence_sum) / nullif(c.count, 0),
           c.updated_at
      from core.calibration c
     where c.version = v_version
     order by c.bin_lower;
end;
$$;
comment on function core.calibration_bins(integer) is
'The 10 bins of a calibration version (default: the current one) with mean confidence, accuracy (actual_correct / count) and gap = accuracy - mean confidence.
Derived figures and updated_at are null for empty bins; before any outcome exists, 10 empty bins of version 0.
Errors: GV404 CALIBRATION_VERSION_NOT_FOUND.
@nonnull version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum';

create or replace function core.calibration_summary(
  p_version integer default null,
  out version integer,
  out total_count bigint,
  out mean_confidence double precision,
  out accuracy double precision,
  out expected_calibration_error double precision,
  out max_calibration_error double precision,
  out updated_at timestamptz)
returns record
language sql stable
as $$
  select coalesce(max(b.version), 0),
         coalesce(sum(b.count), 0)::bigint,
         sum(b.confidence_sum) / nullif(sum(b.count), 0),
         sum(b.actual_correct) / nullif(sum(b.count), 0),
         sum(abs(b.actual_correct - b.confidence_sum)) / nullif(sum(b.count), 0),
         max(abs(b.gap)),
         max(b.updated_at)
    from core.calibration_bins(p_version) b
$$;
comment on function core.calibration_summary(integer) is
'One-row summary of a calibration version: total count, overall accuracy and mean confidence, expected calibration error and maximum calibration error.
ECE = sum over bins of (count_b / N) * |accuracy_b - mean_confidence_b|; the maximum is over non-empty bins. Error figures, means and updated_at are null while no outcome is counted.
Errors: GV404 CALIBRATION_VERSION_NOT_FOUND.
@nonnull version, total_count';
