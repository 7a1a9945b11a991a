-- The campaign board's cache (board_epoch, 0013) moves with the identification tables it shows.
--
-- 0011 (village files) and 0012 (堡垒指数 and the negative list) sort before 0013, so on a new
-- database board_epoch_bump() does not exist when they run; their triggers are created here, with
-- 0013's function and its once-per-transaction flag. A scoring or screening is append-only: only
-- its insert changes the board.
create constraint trigger village_file_board_epoch after insert or update or delete on village_file
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger grading_sheet_board_epoch after insert or update or delete on grading_sheet
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger village_grade_board_epoch after insert on village_grade
  deferrable initially deferred for each row execute function board_epoch_bump();
create constraint trigger risk_screening_board_epoch after insert on risk_screening
  deferrable initially deferred for each row execute function board_epoch_bump();
