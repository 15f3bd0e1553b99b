// name: entrustments
// description: One page of a dataset's entrustments (ENTRUSTS), to read the chain back
//   (graph/neo4j/readback.py): those whose key (the entrustment's id) sorts after $after ('' for
//   the first page), at most $limit, in the order of the (dataset, key) index. The page is one
//   list of rows, each [position, id, consignor, contractor, work, ict_service, personal_data,
//   covers_all, covers, period, period_ends, data_subjects, data_subjects_approximate, data,
//   systems, transfer_safety, storage_safety, disposal_safety, subcontract_restriction,
//   rules_confirmation, written_reports, onsite_inspection, subcontract_check,
//   subcontract_check_method, informed_subcontractors, approved_subcontractors, evidence,
//   disposal_written, disposal_evidence].
// parameters: dataset, after, limit
// columns: page
MATCH ()-[r:ENTRUSTS]->()
WHERE r.dataset = $dataset AND r.key > $after
WITH r ORDER BY r.dataset, r.key LIMIT $limit
RETURN collect([r.position, r.key, r.consignor, r.contractor, r.work, r.ict_service, r.personal_data,
                r.covers_all, r.covers, r.period, r.period_ends, r.data_subjects, r.data_subjects_approximate,
                r.data, r.systems, r.transfer_safety, r.storage_safety, r.disposal_safety,
                r.subcontract_restriction, r.rules_confirmation, r.written_reports, r.onsite_inspection,
                r.subcontract_check, r.subcontract_check_method, r.informed_subcontractors,
                r.approved_subcontractors, r.evidence, r.disposal_written, r.disposal_evidence]) AS page
