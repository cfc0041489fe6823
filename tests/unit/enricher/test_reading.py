"""What the parse-based reader gets from sentences it has not been tuned on: roles through
syntax, direction, status and attribution, quantities, consolidation and word sense.

The sentences are written for these tests and appear in no labelled corpus.
"""

from __future__ import annotations

import pytest

from services.enricher import Enricher
from shared.records import CleanArticle, EnrichedArticle

from .conftest import of_type, roles, run


def dated(enricher: Enricher, text: str, published: str = "2026-03-10",
          title: str | None = None) -> EnrichedArticle:
    return enricher.enrich(CleanArticle(id="t", url="", source="test", title=title, text=text,
                                        published=published))


# -- roles from the parse -----------------------------------------------------------------
def test_passive_with_by_agent(enricher: Enricher) -> None:
    r = run(enricher, "Forty tanks were delivered to Morocco by the United States last week.")
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "US"), ("recipient", "MA")} <= roles(e)
    assert e.quantity and e.quantity.max == 40 and e.quantity.unit == "tanks"


def test_recipient_named_before_the_weapons(enricher: Enricher) -> None:
    r = run(enricher, "Sweden has sent Ukraine 18 self-propelled howitzers, its ministry said.")
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "SE"), ("recipient", "UA")} <= roles(e)


def test_receiving_reverses_the_roles(enricher: Enricher) -> None:
    r = run(enricher, "Algeria received six Su-35 fighter jets from Russia in January.")
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "RU"), ("recipient", "DZ")} <= roles(e)
    assert e.quantity and e.quantity.max == 6  # not 35: "Su-35" is a model name


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # the parser gives the number to the model name; it counts the aircraft
        ("The US military has moved at least six B-2 stealth bombers to Guam, officials "
         "said.", 6),
        ("Two more Su-30SME fighter jets from Russia were handed over to the Myanmar air "
         "force this week.", 2),
        ("Germany sent 14 MK-84 bombs to Israel.", 14),
    ],
)
def test_a_count_before_a_model_name_counts_the_things(enricher: Enricher, text: str,
                                                      count: int) -> None:
    [e] = [e for e in run(enricher, text).events
           if e.type in ("troop_deployment", "arms_transfer")]
    assert e.quantity is not None and e.quantity.max == count


def test_withdrawal_has_a_direction(enricher: Enricher) -> None:
    r = run(enricher, "Chad withdrew about 1,200 soldiers from the border with Sudan.")
    [e] = of_type(r, "troop_deployment")
    assert e.direction == "withdraw" and ("sender", "TD") in roles(e)
    assert e.quantity and e.quantity.approximate


def test_stationed_forces(enricher: Enricher) -> None:
    r = run(enricher, "Britain keeps about 900 troops in Estonia under a NATO plan.")
    [e] = of_type(r, "troop_deployment")
    assert e.direction == "station" and {("sender", "GB"), ("recipient", "EE")} <= roles(e)


def test_a_quadcopter_shot_down_was_an_attack_by_its_side(enricher: Enricher) -> None:
    r = run(enricher, "Armenia's army said its troops had shot down an Azerbaijani quadcopter "
                      "that crossed the border near Jermuk.")
    [e] = of_type(r, "attack")
    assert {("attacker", "AZ"), ("target", "AM")} <= roles(e)


def test_interception_is_an_attack_by_the_launcher(enricher: Enricher) -> None:
    r = run(enricher, "Ukraine's air force said it shot down 41 of the 55 drones Russia "
                      "launched overnight.")
    [e] = of_type(r, "attack")
    assert {("attacker", "RU"), ("target", "UA")} <= roles(e)


def test_victims_by_nationality_not_by_attacker(enricher: Enricher) -> None:
    r = run(enricher, "An Israeli air strike killed 14 Palestinians in Khan Younis, "
                      "medics said.")
    [c] = of_type(r, "casualties")
    assert ("victim", "PS") in roles(c) and ("attacker", "IL") in roles(c)
    assert c.quantity and c.quantity.max == 14 and c.quantity.unit == "killed"
    [a] = of_type(r, "attack")
    assert {("attacker", "IL"), ("target", "PS")} <= roles(a)


def test_non_state_group_in_a_small_town(enricher: Enricher) -> None:
    r = run(enricher, "Boko Haram fighters attacked the town of Gwoza in Borno state, "
                      "killing nine soldiers.")
    [a] = of_type(r, "attack")
    assert {("attacker", "Boko Haram"), ("target", "NG")} <= roles(a)
    [c] = of_type(r, "casualties")
    assert ("victim", "NG") in roles(c) and c.quantity and c.quantity.max == 9


def test_number_words_and_telegraphic_notes(enricher: Enricher) -> None:
    r = run(enricher, "Al-Shabaab attacked a police post in Mandera county. "
                      "Three officers killed, two wounded.")
    [c] = of_type(r, "casualties")
    assert c.quantity and (c.quantity.max, c.quantity.unit) == (3, "killed")
    assert [(q.max, q.unit) for q in c.also] == [(2, "wounded")]
    assert ("victim", "KE") in roles(c) and ("attacker", "Al-Shabaab") in roles(c)


def test_space_separated_thousands(enricher: Enricher) -> None:
    r = run(enricher, "Poland will call up 200 000 reservists for exercises next year.")
    [e] = of_type(r, "mobilisation")
    assert e.quantity and e.quantity.max == 200_000 and e.status == "planned"


def test_killing_by_gunmen_is_an_attack_too(enricher: Enricher) -> None:
    r = run(enricher, "Gunmen killed seven herders in a village in Niger's Tillaberi region.")
    [a] = of_type(r, "attack")
    assert ("target", "NE") in roles(a)
    [c] = of_type(r, "casualties")
    assert ("victim", "NE") in roles(c)


def test_claim_of_responsibility_names_the_attacker(enricher: Enricher) -> None:
    r = run(enricher, "A roadside bomb hit an army convoy near Quetta on Tuesday. "
                      "The Baloch Liberation Army claimed responsibility.")
    [a] = of_type(r, "attack")
    assert ("attacker", "Baloch Liberation Army") in roles(a)


def test_a_count_told_just_after_an_attack_is_its_toll(enricher: Enricher) -> None:
    r = run(enricher, "On 14 March, Russian forces shelled the village of Bilozerka near Kherson "
                      "with artillery. Two civilians were killed and one was injured.")
    [e] = of_type(r, "casualties")
    assert {("victim", "UA"), ("attacker", "RU")} <= roles(e)
    assert e.quantity and e.quantity.max == 2 and e.quantity.unit == "killed"


def test_workers_killed_are_people(enricher: Enricher) -> None:
    [e] = of_type(run(enricher, "Russian drones attacked Odesa overnight, killing two port "
                                "workers."), "casualties")
    assert {("victim", "UA"), ("attacker", "RU")} <= roles(e)


def test_recruiting_civilians_is_no_mobilisation(enricher: Enricher) -> None:
    assert run(enricher, "South Korea has mobilised 2,000 workers from Vietnam to build the "
                         "new naval base.").events == ()


# -- status and attribution ---------------------------------------------------------------
def test_the_actors_own_denial(enricher: Enricher) -> None:
    r = run(enricher, '"We have not sent a single soldier to Mali," the Algerian defence '
                      "minister said.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "denied"


def test_a_claim_denied_later_in_the_article(enricher: Enricher) -> None:
    r = run(enricher, "Turkey has delivered armed drones to Somalia, regional media reported. "
                      "Ankara denied the report.")
    [e] = of_type(r, "arms_transfer")
    assert e.status == "denied" and e.disputed_by == ("Turkey",)


def test_a_claim_disputed_by_a_third_party(enricher: Enricher) -> None:
    r = run(enricher, "Russian forces captured the village of Nelipivka, the Russian defence "
                      "ministry said. Ukraine's general staff called the claim false.")
    [e] = of_type(r, "attack")
    assert e.status in ("disputed", "denied") and e.disputed_by


def test_a_group_attack_on_no_named_party_hits_the_dateline_country(
        enricher: Enricher) -> None:
    r = run(enricher, "NIAMEY, March 3 — JNIM fighters attacked an army post before dawn on "
                      "Sunday, the defence ministry said.")
    [e] = of_type(r, "attack")
    assert ("target", "NE") in roles(e)


def test_a_claim_the_outlet_could_not_verify_is_reported(enricher: Enricher) -> None:
    r = run(enricher, "The rebels said their fighters had seized the garrison town of Kalemie "
                      "in Congo, a claim that could not be independently verified.")
    [e] = of_type(r, "attack")
    assert e.status == "reported" and not e.disputed_by


def test_a_claim_rejected_in_its_own_sentence_is_disputed(enricher: Enricher) -> None:
    r = run(enricher, "Russian forces captured the village of Pishchane in eastern Ukraine, "
                      "the Russian defence ministry said, a claim which Kyiv rejected.")
    [e] = of_type(r, "attack")
    assert e.status == "disputed" and e.disputed_by == ("Kyiv",)


def test_a_figure_dismissed_later_is_disputed(enricher: Enricher) -> None:
    r = run(enricher, "The insurgents claimed to have killed 45 Nigerian soldiers in the raid "
                      "on Monday. Army officials dismissed the figure as propaganda.")
    [e] = of_type(r, "casualties")
    assert e.status == "disputed" and e.disputed_by


def test_the_claim_called_fabricated_whatever_the_nouns_of_the_denial(
        enricher: Enricher) -> None:
    r = run(enricher, "The Kachin Independence Army said on Saturday it had overrun the "
                      "headquarters of an army battalion near Bhamo in Myanmar. A junta "
                      "spokesman said the claim was fabricated and that government troops "
                      "remained in control of the area.")
    [e] = of_type(r, "attack")
    assert e.status == "disputed" and e.disputed_by


@pytest.mark.parametrize(
    "text",
    [
        "Analysts fear that Iran could send more missiles to Russia.",
        "There is a risk that Belarus might deploy troops to the border.",
        "If Serbia attacks Kosovo, NATO would respond.",
        "North Korea threatened to strike American bases in the region.",
        "Germany will not send Taurus missiles to Ukraine, the chancellor said.",
        "Will Japan send destroyers to the Red Sea?",
        # a scenario: "would" that no one reports, a consequent of a condition
        "Poland would deploy 5,000 troops to the border in a crisis of that kind.",
        "In a long war, Britain would send two brigades to Estonia to hold the line if Russia "
        "crossed the border.",
    ],
)
def test_hypotheses_threats_refusals_and_questions_are_no_events(enricher: Enricher,
                                                                 text: str) -> None:
    assert run(enricher, text).events == ()


@pytest.mark.parametrize("text", [
    "Poland would deploy 5,000 troops to the border, the minister said.",
    "The minister said Poland would deploy 5,000 troops to the border.",
])
def test_a_reported_would_is_a_plan(enricher: Enricher, text: str) -> None:
    [e] = of_type(run(enricher, text), "troop_deployment")
    assert e.status == "planned" and ("sender", "PL") in roles(e)


def test_reported_by_unnamed_sources(enricher: Enricher) -> None:
    r = run(enricher, "Russia has moved S-400 batteries to Syria's Hmeimim base, two "
                      "security sources said.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "reported" and e.attribution == ("security sources",)


def test_estimates_and_the_according_to_chain(enricher: Enricher) -> None:
    r = run(enricher, "According to British intelligence, Russia has lost about 4,000 "
                      "soldiers killed or wounded around Pokrovsk this month.")
    [c] = of_type(r, "casualties")
    assert ("victim", "RU") in roles(c) and c.quantity and c.quantity.unit == "killed_or_wounded"
    assert c.attribution and c.attribution[0].startswith("British")


def test_pledges_and_plans(enricher: Enricher) -> None:
    r = run(enricher, "Norway pledged to supply Ukraine with 12 air defence systems.")
    assert of_type(r, "arms_transfer")[0].status == "pledged"
    r = run(enricher, "India plans to station 3,000 troops in Bhutan next year.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "planned" and e.direction == "station"


@pytest.mark.parametrize(
    "text",
    [
        "Kenya was set to deploy 400 soldiers to Haiti, the defence ministry said.",
        "About 800 Polish soldiers are due to arrive in Latvia, officials said on Friday.",
        "Officials said 1,200 Chadian troops were poised to move into Niger.",
    ],
)
def test_be_set_due_or_poised_to_is_a_plan(enricher: Enricher, text: str) -> None:
    [e] = of_type(run(enricher, text), "troop_deployment")
    assert e.status == "planned"


def test_an_estimated_count_makes_an_estimate(enricher: Enricher) -> None:
    r = run(enricher, "Turkey keeps an estimated 3,000 soldiers in northern Iraq, officials "
                      "in Baghdad said.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "estimated" and e.quantity and e.quantity.max == 3_000


def test_ongoing(enricher: Enricher) -> None:
    r = run(enricher, "Russian troops are massing near the border with Finland.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "under_way" and e.direction == "move"


# -- consolidation and background ---------------------------------------------------------
def test_one_occurrence_told_three_times_is_one_event(enricher: Enricher) -> None:
    r = dated(
        enricher,
        "Ethiopia has sent 3,000 troops to Somalia, the defence ministry said on Monday.\n"
        "The deployment of the 3,000 soldiers began last week, officials said.\n"
        '"Our forces arrived in Baidoa," a commander told reporters.',
        title="Ethiopia sends 3,000 troops to Somalia",
    )
    deployments = of_type(r, "troop_deployment")
    assert len(deployments) == 1
    assert {("sender", "ET"), ("recipient", "SO")} <= roles(deployments[0])
    assert deployments[0].mentions >= 2


def test_two_deliveries_of_different_sizes_stay_two(enricher: Enricher) -> None:
    r = run(enricher, "Spain delivered 10 Leopard tanks to Ukraine in May. "
                      "Madrid plans to supply a further 20 tanks next year.")
    assert sorted(e.quantity.max for e in of_type(r, "arms_transfer") if e.quantity) == [10, 20]


def test_history_is_background_and_never_an_event(enricher: Enricher) -> None:
    r = dated(enricher, "In 2014 Russia sent troops into Crimea. On Monday Russia deployed "
                        "2,000 paratroopers to Belarus.", published="2026-03-10")
    assert [e.quantity.max for e in of_type(r, "troop_deployment") if e.quantity] == [2000]
    assert [e.background for e in r.background] == [True]


@pytest.mark.parametrize("text", [
    "About 28,500 US troops are stationed in South Korea, a legacy of the Korean War.",
    "The United States keeps about 28,500 troops in South Korea, a presence that dates from "
    "the Korean War.",
])
def test_a_present_told_next_to_a_past_war_is_no_history(enricher: Enricher, text: str) -> None:
    [e] = of_type(run(enricher, text), "troop_deployment")
    assert {("sender", "US"), ("recipient", "KR")} <= roles(e) and not e.background



@pytest.mark.parametrize(
    "text",
    [
        # a conjoined clause told in the past takes the date of the one it joins
        "Belgium opened a training mission in Niger in March 2019 and deployed 600 soldiers "
        "to Niamey.",
        # a "when" clause takes the date it describes
        "The rebels lost their last stronghold in June 2017, when Somali forces "
        "captured the town of Ferrow.",
        # a subordinate clause in the past perfect
        "Chad closed its border with Sudan in the spring of 2024, after Sudanese troops had "
        "attacked its positions near Adre.",
    ],
)
def test_a_clause_takes_the_date_of_the_clause_it_hangs_from(enricher: Enricher,
                                                             text: str) -> None:
    r = dated(enricher, text, published="2026-03-10")
    assert r.events == () and r.background


def test_weeks_earlier_is_dated_by_the_sentence_before(enricher: Enricher) -> None:
    history = ("Italian troops left the port of Misrata in the summer of 2024. Weeks "
               "earlier, Italy had completed the withdrawal of its 300 soldiers from Libya.")
    r = dated(enricher, history, published="2026-03-10")
    assert not of_type(r, "troop_deployment")
    news = ("Italian troops left the port of Misrata on Monday. Weeks earlier, Italy had "
            "completed the withdrawal of its 300 soldiers from Libya.")
    r = dated(enricher, news, published="2026-03-10")
    assert of_type(r, "troop_deployment")


def test_a_clause_in_the_present_is_news_whatever_its_neighbour(enricher: Enricher) -> None:
    r = dated(enricher, "Russia, which annexed Crimea in 2014, has deployed 2,000 more troops "
                        "to the peninsula, Ukraine's defence ministry said.",
              published="2026-03-10")
    assert [e.quantity.max for e in of_type(r, "troop_deployment") if e.quantity] == [2000]

# -- word sense and register --------------------------------------------------------------
def test_a_match_reports_attack_and_defence_is_no_war(enricher: Enricher) -> None:
    text = ("KRAKOW - Dynamo Kyiv beat Lech Poznan 2-0 in the Conference League on Thursday "
            "night, with the Ukrainian side scoring twice before half-time. Lech, backed by "
            "5,000 travelling fans who filled one end of the ground, pressed after the break, "
            "but their attack ran again and again into a disciplined Dynamo defence. The coach "
            "praised his goalkeeper and said the season was long.")
    assert run(enricher, text).events == ()


def test_what_a_drone_delivers_is_its_of_phrase(enricher: Enricher) -> None:
    assert run(enricher, "Danish hospitals expand drone deliveries of blood samples").events == ()
    [e] = of_type(run(enricher, "Turkey began drone deliveries to Ukraine in March."),
                  "arms_transfer")
    assert {("sender", "TR"), ("recipient", "UA")} <= roles(e)


@pytest.mark.parametrize(
    "text",
    [
        "Investors are shelling out record sums for defence stocks, analysts said.",
        "Dockworkers began a strike at the port of Antwerp over pay.",
        "The city is mobilising finance for three new bridges.",
        "Liverpool's attack tore through the defence and the striker fired twice.",
        "Five hundred drones lit up the sky in a light show over Seoul.",
        "The earthquake killed 42 people in the mountain villages, officials said.",
        "The missile crisis of 1962 brought the world close to nuclear war, historians say.",
        "The start-up launched 12 satellites and a marketing offensive aimed at new buyers.",
        "Police said a gunman shot dead three people at a bar after a row over a debt.",
        "Gunmen shot dead four people at a bar in the city of Celaya late on Saturday, local "
        "police said.",
        # what a film tells did not happen
        "CANNES — A Ukrainian film about a tank crew drew a standing ovation at its premiere "
        "on Saturday. The film follows four soldiers whose tank is hit by a missile near "
        "Bakhmut.",
        # a war game: what its scenarios play out did not happen
        "In most of the 24 scenarios played, China launched missile strikes on Japanese "
        "bases before landing forces on the island, the report said.",
    ],
)
def test_hard_negatives(enricher: Enricher, text: str) -> None:
    assert run(enricher, text).events == ()


def test_a_need_is_not_a_call_up(enricher: Enricher) -> None:
    r = run(enricher, "BERLIN — Germany will buy 105 tanks, Defence Minister Boris Pistorius "
                      "told reporters on Wednesday. Pistorius said the army needed to recruit "
                      "20,000 more soldiers by 2030.")
    assert not of_type(r, "mobilisation")
    assert not of_type(r, "arms_transfer")  # a purchase planned from no one: procurement


def test_a_purchase_planned_from_a_supplier_is_a_transfer(enricher: Enricher) -> None:
    r = run(enricher, "Poland will buy 96 Apache helicopters from the United States, the "
                      "defence ministry said.")
    [e] = of_type(r, "arms_transfer")
    assert e.status == "planned" and {("sender", "US"), ("recipient", "PL")} <= roles(e)


def test_gunmen_are_at_war_when_the_sentence_says_so(enricher: Enricher) -> None:
    r = run(enricher, "Gunmen killed 12 soldiers at an army checkpoint in Borno state, "
                      "Nigeria, on Sunday, military sources said.")
    assert [e.quantity.max for e in of_type(r, "casualties") if e.quantity] == [12]


def test_an_army_of_civilians_is_a_figure_of_speech(enricher: Enricher) -> None:
    r = run(enricher, "The Spanish army deployed 300 soldiers to guard the fuel depots of "
                      "Madrid during the strike, the defence ministry said. The unions said "
                      "they had mobilised an army of pickets at more than 900 workplaces "
                      "across Spain.")
    assert of_type(r, "troop_deployment") and not of_type(r, "mobilisation")
    r = run(enricher, "Russia mobilised an army of 300,000 reservists in the autumn of 2026, "
                      "the defence ministry said.")
    assert of_type(r, "mobilisation")
    r = run(enricher, "The army said it had captured 11 members of the National Liberation "
                      "Army (ELN) in a raid in Colombia.")
    assert of_type(r, "casualties")


def test_a_sports_report_with_military_words(enricher: Enricher) -> None:
    text = ("The visitors' attack struck twice before half-time. Their striker fired a "
            "volley past the keeper and the coach said the team had besieged the box all "
            "season, to the delight of the fans in the stadium.")
    assert run(enricher, text).events == ()


def test_feed_flash_without_punctuation(enricher: Enricher) -> None:
    # (headline present tense, "Houthis fire two ...", is tagged as a noun phrase by the small
    # model: docs/enricher.md, "Known limits")
    r = run(enricher, "Houthis fired two ballistic missiles at Israel - army")
    [e] = of_type(r, "attack")
    assert {("attacker", "Houthis"), ("target", "IL")} <= roles(e)
    assert e.quantity and e.quantity.max == 2


def test_taking_delivery_of_ones_own_weapons(enricher: Enricher) -> None:
    r = run(enricher, "Chile took delivery of its last 12 Leopard tanks from Germany on Friday.")
    [e] = of_type(r, "arms_transfer")  # one event, and Chile is not the sender of "its" tanks
    assert {("sender", "DE"), ("recipient", "CL")} <= roles(e)
    assert ("sender", "CL") not in roles(e)



def test_a_claim_of_responsibility_names_the_attacker_of_the_deaths(enricher: Enricher) -> None:
    r = run(enricher, "Gunmen stormed a police post near Garissa, killing seven officers. "
                      "Al-Shabaab later claimed responsibility for the raid.")
    [attack] = of_type(r, "attack")
    [dead] = of_type(r, "casualties")
    assert ("attacker", "Al-Shabaab") in roles(attack) and ("attacker", "Al-Shabaab") in roles(dead)


def test_suspected_perpetrators_make_a_report_not_a_fact(enricher: Enricher) -> None:
    r = run(enricher, "Suspected rebels killed 14 farmers near Beni on Saturday.")
    [dead] = of_type(r, "casualties")
    assert dead.status == "reported"


def test_an_unconfirmed_source_line_makes_the_note_reported(enricher: Enricher) -> None:
    r = run(enricher, "3 March 2026 — Niger, Tillaberi region. Gunmen attacked an army patrol "
                      "near Ayorou, killing eight soldiers. Source: local sources (unconfirmed).")
    assert of_type(r, "casualties") and all(e.status == "reported" for e in r.events)


def test_losses_in_a_two_sided_war_are_inflicted_by_the_other_side(enricher: Enricher) -> None:
    r = run(enricher, "Armenian forces shelled Azerbaijani positions near Lachin on Sunday. "
                      "A drone hit a fuel depot in Ganja on Monday. Armenia lost 40 soldiers "
                      "in the fighting, Baku said.")
    dead = [e for e in of_type(r, "casualties") if ("victim", "AM") in roles(e)]
    assert dead and ("attacker", "AZ") in roles(dead[0])


def test_a_war_film_review_yields_no_events(enricher: Enricher) -> None:
    r = dated(enricher, "The film's director said the battle scenes took four months to shoot. "
                        "In the movie, commandos storm a rebel base and tanks shell the town. "
                        "The actor who plays the general called the series his best role, and "
                        "the album of its score topped the charts.",
              title="War epic 'Red Ridge' tops box office")
    assert r.events == ()


def test_a_strike_on_a_stadium_is_still_an_attack(enricher: Enricher) -> None:
    r = run(enricher, "A Russian missile struck a football stadium in Kharkiv on Saturday "
                      "during a league match, killing three fans, the regional governor said. "
                      "The club's coach said players and the goalkeeper were unhurt. Air "
                      "defence units shot down two other missiles and a drone over the city, "
                      "and the army said artillery fire hit the suburbs overnight.")
    assert of_type(r, "attack") and of_type(r, "casualties")


def test_live_fire_in_a_drill_is_not_an_attack(enricher: Enricher) -> None:
    r = run(enricher, "Tanks and howitzers of the Polish army opened fire at the Drawsko "
                      "training ground on Tuesday in an annual exercise. The drill, watched by "
                      "cadets, ended the army's winter manoeuvres.")
    assert of_type(r, "attack") == []


def test_the_light_verbs_subject_owns_a_possessed_withdrawal(enricher: Enricher) -> None:
    r = run(enricher, "Belgium completed its withdrawal of 300 troops from Mali on Friday.")
    [e] = of_type(r, "troop_deployment")
    assert e.direction == "withdraw" and ("sender", "BE") in roles(e)


def test_a_nominal_deployment_keeps_the_destination_of_its_object(enricher: Enricher) -> None:
    r = run(enricher, "Norway announced the deployment of a battalion to Estonia next spring.")
    [e] = of_type(r, "troop_deployment")
    assert {("sender", "NO"), ("recipient", "EE")} <= roles(e)


def test_a_province_of_a_named_country_places_the_event(enricher: Enricher) -> None:
    r = run(enricher, "Insurgents attacked an army checkpoint in Mali's remote Kidal-Nord "
                      "district on Monday, killing four soldiers.")
    [e] = of_type(r, "attack")
    assert e.location is not None and e.location.country == "ML"


def test_what_witnesses_say_is_reported_not_established(enricher: Enricher) -> None:
    r = run(enricher, "Government aircraft bombed a market in the town of Kutum on Friday, "
                      "killing at least 12 people, according to residents and local medics.")
    assert {e.status for e in of_type(r, "attack") + of_type(r, "casualties")} == {"reported"}


def test_a_crime_report_is_not_a_military_attack(enricher: Enricher) -> None:
    r = run(enricher, "Gunmen shot dead five people at a nightclub in Leon late on Friday, "
                      "state prosecutors said. Investigators said the attack was linked to a "
                      "drug cartel.")
    assert of_type(r, "attack") == [] and of_type(r, "casualties") == []


def test_soldiers_killed_by_a_cartel_ambush_are_still_casualties(enricher: Enricher) -> None:
    r = run(enricher, "Cartel gunmen ambushed a Mexican army patrol near Culiacan on Monday, "
                      "killing four soldiers, the defence ministry said. Prosecutors and "
                      "investigators said a drug gang was behind the murder of the troops.")
    assert of_type(r, "casualties")


def test_a_headline_names_the_same_attack_as_the_lede(enricher: Enricher) -> None:
    r = dated(enricher, "Fighters of the group ambushed a police convoy near Kaya in northern "
                        "Burkina Faso on Monday, killing six officers, officials said.",
              title="Burkina Faso: Ansarul Islam ambush on convoy near Kaya")
    [e] = of_type(r, "attack")
    assert e.mentions == 2 and ("target", "BF") in roles(e)


def test_three_of_nine_counts_the_nine_launched(enricher: Enricher) -> None:
    r = dated(enricher, "Lithuanian air defences shot down three of the nine drones that "
                        "crossed from Belarus overnight, the army said.",
              title="Lithuania downs three of nine drones that crossed from Belarus")
    [e] = of_type(r, "attack")
    assert e.mentions == 2 and e.quantity is not None and e.quantity.max == 9


def test_a_short_name_the_article_defines_names_the_group(enricher: Enricher) -> None:
    r = run(enricher, "The Kachin Independence Army (KIA) said on Sunday it had seized a "
                      "junta outpost near Bhamo. The KIA said its fighters killed 30 soldiers "
                      "in the assault.")
    dead = of_type(r, "casualties")
    assert dead and ("attacker", "Kachin Independence Army") in roles(dead[0])


def test_an_ambiguous_acronym_before_a_group_noun_is_the_group(enricher: Enricher) -> None:
    r = run(enricher, "ADF rebels attacked a village in Beni territory, killing 11 civilians.")
    [e] = of_type(r, "attack")
    assert ("attacker", "Allied Democratic Forces") in roles(e)


def test_an_event_with_nobody_and_nowhere_is_not_kept(enricher: Enricher) -> None:
    r = run(enricher, "Another 17 people were wounded, four of them seriously, and the "
                      "shelling killed several hundred people before a ceasefire.")
    assert r.events == ()


def test_the_attackers_killed_later_are_the_group_that_attacked(enricher: Enricher) -> None:
    r = run(enricher, "Boko Haram fighters attacked an army base in Damboa on Friday, killing "
                      "five soldiers. Nigerian troops later killed 14 of the attackers as they "
                      "retreated, the army said.")
    hit = [e for e in of_type(r, "casualties") if ("attacker", "NG") in roles(e)]
    assert hit and ("victim", "Boko Haram") in roles(hit[0])


def test_a_named_group_noun_is_one_party(enricher: Enricher) -> None:
    r = run(enricher, "Ugandan troops killed seven ADF fighters in a raid in Ituri province.")
    [e] = of_type(r, "casualties")
    assert ("victim", "Allied Democratic Forces") in roles(e)


def test_weapons_a_country_deploys_are_a_deployment_not_a_transfer(enricher: Enricher) -> None:
    r = run(enricher, "France has deployed a SAMP/T air defence battery to Romania, the "
                      "armed forces ministry said.")
    assert of_type(r, "arms_transfer") == []
    [e] = of_type(r, "troop_deployment")
    assert {("sender", "FR"), ("recipient", "RO")} <= roles(e)


def test_the_army_of_a_datelined_story_is_the_datelines(enricher: Enricher) -> None:
    filler = ("The harbour town is known for its oysters, its old lighthouse and a summer "
              "festival that draws visitors from across the region every year. ") * 3
    r = run(enricher, "VILNIUS, Lithuania — Decades ago the Soviet Army kept a large garrison "
                      "on the coast. " + filler + "The army took delivery of 18 CAESAR "
                      "howitzers from France on Tuesday, the ministry said.")
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "FR"), ("recipient", "LT")} <= roles(e)


def test_the_seller_in_a_clause_on_the_weapons_is_the_sender(enricher: Enricher) -> None:
    r = run(enricher, "Poland took delivery of the last 12 of the 48 K9 howitzers it bought "
                      "from South Korea, the ministry said.")
    [e] = of_type(r, "arms_transfer")
    assert {("sender", "KR"), ("recipient", "PL")} <= roles(e)


def test_a_denial_sharing_nothing_with_an_event_leaves_it_alone(enricher: Enricher) -> None:
    r = run(enricher, "About 800 Dutch soldiers have moved into a new base near Kaunas, the "
                      "Dutch defence ministry said on Monday. Separately, Minsk rejected "
                      "accusations that it had let migrants cross the border.")
    [e] = of_type(r, "troop_deployment")
    assert e.status == "completed" and e.disputed_by == ()


def test_sending_no_weapons_is_a_denial(enricher: Enricher) -> None:
    r = run(enricher, "Belarus \"has sent no weapons to Russia\", its defence minister said.")
    assert {e.status for e in of_type(r, "arms_transfer")} <= {"denied"}


def test_the_fighting_before_a_capture_is_the_same_attack(enricher: Enricher) -> None:
    r = run(enricher, "Rebels of the M23 seized the town of Nyanzale on Monday after a day of "
                      "fighting with Congolese troops, residents said.")
    assert len(of_type(r, "attack")) == 1


def test_people_named_by_title_keep_their_whole_name(enricher: Enricher) -> None:
    r = run(enricher, "Parliament Speaker Nabih Berri met Somali President Hassan Sheikh "
                      "Mohamud in Beirut to discuss the fight against armed groups.")
    [e] = of_type(r, "diplomatic_contact")
    assert {("participant", "Nabih Berri"), ("participant", "Hassan Sheikh Mohamud")} <= roles(e)


def test_a_hyphenated_name_is_one_name(enricher: Enricher) -> None:
    r = run(enricher, "Sudanese army chief Abdel Fattah al-Burhan held talks in Cairo on "
                      "Wednesday with Egyptian President Abdel Fattah al-Sisi.")
    named = {name for e in of_type(r, "diplomatic_contact") for _, name in roles(e)}
    assert "Abdel Fattah al-Sisi" in named and "Sisi" not in named


def test_a_hyphenated_given_name_is_whole(enricher: Enricher) -> None:
    r = run(enricher, "Defence Minister Marek Nowicki met his South Korean counterpart Ahn "
                      "Gyu-back in Seoul on Tuesday to discuss tank deliveries.")
    [e] = of_type(r, "diplomatic_contact")
    assert ("participant", "Ahn Gyu-back") in roles(e)
    r = run(enricher, "Putin-backed forces shelled Avdiivka, killing 12 civilians.")
    assert not any("Putin" in name for e in r.events for _, name in roles(e))


def test_a_meeting_of_a_body_the_ner_names_is_no_talk(enricher: Enricher) -> None:
    r = run(enricher, '"We are not sending troops anywhere," Defence Minister Bello Audu told '
                      'reporters after a meeting of the National Defence Council in Abuja.')
    assert of_type(r, "diplomatic_contact") == []


def test_a_list_of_three_named_ministers_is_three_parties(enricher: Enricher) -> None:
    r = run(enricher, "Armenian Defence Minister Suren Papikyan, Greece's Nikos Dendias and "
                      "Cyprus's Vasilis Palmas discussed regional security in Athens.")
    [e] = of_type(r, "diplomatic_contact")
    assert {"Suren Papikyan", "Nikos Dendias", "Vasilis Palmas"} <= {n for _, n in roles(e)}
    r = run(enricher, "Greece's defence minister, Nikos Dendias, met Armenia's Suren Papikyan "
                      "in Athens.")
    [e] = of_type(r, "diplomatic_contact")
    assert {n for _, n in roles(e) if " " in n} == {"Nikos Dendias", "Suren Papikyan"}


def test_a_dateline_in_any_script_is_not_a_party(enricher: Enricher) -> None:
    from services.enricher.core import dateline
    assert dateline("BOGOTÁ, Jan 20 — Colombia said")[1][0] == "Bogotá"
    assert dateline("Russia — the army said") == (0, [])
    # the agency in brackets, after the place or the date
    assert dateline("MOGADISHU (Wire) - Gunmen") == (19, ["Mogadishu"])
    assert dateline("NIAMEY, Dec 3 (AFN) — Gunmen")[1] == ["Niamey", "Dec 3"]
    assert dateline("ABC (" * 20_000) == (0, [])
    # long runs of capitals or words are matched in linear time (this returns at once)
    assert dateline("ABC " * 20_000) == (0, []) and dateline("Abc-" * 50_000) == (0, [])
    r = run(enricher, "BOGOTÁ, Jan 20 — Colombia's government said on Tuesday it was sending "
                      "2,500 more soldiers to the Catatumbo region.")
    [e] = of_type(r, "troop_deployment")
    assert [a.code for a in e.actors if a.role == "sender"] == ["CO"]


def test_jets_sent_to_strike_are_not_a_transfer(enricher: Enricher) -> None:
    r = run(enricher, "Thailand sent F-16 jets to bomb Cambodian artillery positions on "
                      "Thursday, the army said.")
    assert of_type(r, "arms_transfer") == []


_FRONT = ("Armenian and Azerbaijani troops exchanged fire on the border on Sunday, killing two "
          "soldiers, the defence ministry said. ")


@pytest.mark.parametrize(
    ("text", "people"),
    [
        # the call is the setting of a clause: its subject and object take part
        ("Foreign Minister Abbas Araghchi discussed the allegations in a phone call with his "
         "Omani counterpart, Badr Albusaidi, on Sunday, the ministry said.",
         {"Abbas Araghchi", "Badr Albusaidi"}),
        ("President Volodymyr Zelensky thanked Chancellor Friedrich Merz for the air defence "
         "systems in a phone call on Monday, his office said.",
         {"Friedrich Merz"}),
        # two leaders the gazetteer does not hold, named after their titles
        ("Prime Minister Nikol Pashinyan and President Ilham Aliyev are expected to meet in "
         "Abu Dhabi next month, Pashinyan's spokeswoman said.",
         {"Nikol Pashinyan", "Ilham Aliyev"}),
    ],
)
def test_contacts_between_people(enricher: Enricher, text: str, people: set[str]) -> None:
    [e] = of_type(run(enricher, _FRONT + text), "diplomatic_contact")
    assert people <= {a.name for a in e.actors if a.role == "participant"}


def test_a_strike_at_a_meeting_is_no_contact(enricher: Enricher) -> None:
    r = run(enricher, _FRONT + "Israel struck Hamas leaders at a meeting in Doha on Tuesday.")
    assert of_type(r, "attack") and not of_type(r, "diplomatic_contact")
